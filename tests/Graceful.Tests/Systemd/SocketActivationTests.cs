using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Systemd;

/// <summary>systemd socket activation with more than one socket, driven by systemd's own systemd-socket-activate.</summary>
public class SocketActivationTests
{
    private const string Activator = "/usr/bin/systemd-socket-activate";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    // The activator passes the service only the variables it is given with -E.
    private static readonly string[] StructuredLogs = [.. StructuredLog.Environment.SelectMany(v => (string[])["-E", $"{v.Key}={v.Value}"])];

    [Fact]
    public async Task TwoInheritedListeners_AreBothServed_AndBothClosedByTheDrain()
    {
        if (!File.Exists(Activator))
        {
            Assert.Skip($"{Activator} is missing: install Debian's systemd package (.ci/run does).");
        }

        var (first, second) = (FreePorts.Next(), FreePorts.Next());
        await using var service = await ServiceProcess.StartAsync(Activator,
            ["-l", $"127.0.0.1:{first}", "-l", $"127.0.0.1:{second}", .. StructuredLogs, "dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0"],
            waitForListening: false);
        await service.WaitForLineAsync(l => l.Contains($"Listening on 127.0.0.1:{second}"), Generous);

        // The first connection makes the activator start the service, which then accepts it from the inherited socket.
        using var client = new HttpClient { Timeout = Generous };
        Assert.Equal("pong", await client.GetStringAsync($"http://127.0.0.1:{first}/ping"));
        Assert.Equal("pong", await client.GetStringAsync($"http://127.0.0.1:{second}/ping"));

        service.Signal(Signals.SIGTERM);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Equal(2, Assert.Single(service.Events(StoppedAccepting)).Number("Listeners"));
    }

    [Fact]
    public async Task SocketActivatedListeners_PassToTheSuccessorOfAnUpgrade()
    {
        if (!File.Exists(Activator))
        {
            Assert.Skip($"{Activator} is missing: install Debian's systemd package (.ci/run does).");
        }

        using var chain = new Upgrades.UpgradedProcesses();
        var (first, second) = (FreePorts.Next(), FreePorts.Next());
        await using var service = await ServiceProcess.StartAsync(Activator,
            ["-l", $"127.0.0.1:{first}", "-l", $"127.0.0.1:{second}", .. StructuredLogs, "dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0", "--pid-file", chain.PidFile],
            waitForListening: false);
        await service.WaitForLineAsync(l => l.Contains($"Listening on 127.0.0.1:{second}"), Generous);
        using var client = new HttpClient { Timeout = Generous };
        Assert.Equal(service.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), await client.GetStringAsync($"http://127.0.0.1:{first}/pid"));

        var (_, successor) = await chain.UpgradeAsync();

        // The successor serves both systemd sockets it never received from systemd, as handles, like its predecessor.
        var pid = successor.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(pid, await client.GetStringAsync($"http://127.0.0.1:{first}/pid"));
        Assert.Equal(pid, await client.GetStringAsync($"http://127.0.0.1:{second}/pid"));
        Assert.Contains(service.Events(UpgradeHandedOver), e => (e.Number("SuccessorPid"), e.Number("Listeners")) == (successor, 2));
        Signals.Send(successor, Signals.SIGTERM);
    }
}
