using System.Globalization;
using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Upgrades;

/// <summary>SIGHUP upgrades the sample in place: its successor inherits the listening socket and the old process drains.</summary>
public sealed class InPlaceUpgradeTests
{
    private static readonly TimeSpan Generous = UpgradedProcesses.Generous;

    [Fact]
    public async Task Upgrades_UnderKeepAliveLoad_LoseNoRequestAndRefuseNoConnection()
    {
        using var chain = new UpgradedProcesses();
        await using var first = await SlowService.StartAsync("--pid-file", chain.PidFile);
        // Busy raw-socket keep-alive clients for the whole test: each reconnects after a Connection: close and goes on.
        var counters = new LoadCounters();
        var load = KeepAliveLoad.RunAsync(first.BaseAddress, clients: 16, "/ping", TimeSpan.FromSeconds(8), stopWhenRefused: false, counters: counters);
        await counters.WhenOkAtLeastAsync(16 * 5).WaitAsync(Generous);

        var upgrades = new List<(int Old, int New)>();
        for (var i = 0; i < 3; i++)
        {
            upgrades.Add(await chain.UpgradeAsync());
        }

        var result = await load;
        Assert.Equal(0, await first.WaitForExitAsync(Generous, waitForOutput: false));
        Assert.Equal((0, 0, 0), (result.Lost, result.Refused, result.NonSuccess));
        Assert.True(result.Ok > 100, $"Only {result.Ok} requests were answered.");
        Assert.Equal(first.Pid, upgrades[0].Old);
        Assert.Contains(first.Events(UpgradeHandedOver), e => (e.Number("SuccessorPid"), e.Number("Listeners")) == (upgrades[0].New, 1));

        // The last successor serves on the same port, and the process answering is the new one.
        var last = upgrades[^1].New;
        using var client = new HttpClient { BaseAddress = first.BaseAddress };
        Assert.Equal(last.ToString(CultureInfo.InvariantCulture), await client.GetStringAsync("/pid"));
        // The inherited listener is close-on-exec again in the successor: no process it starts gets it.
        Assert.All(UpgradedProcesses.Sockets(last), s => Assert.True(s.CloseOnExec, $"Socket descriptor {s.Descriptor} of pid {last} is inheritable."));

        var lastExited = ExitWatch.Start(last);
        Signals.Send(last, Signals.SIGTERM);
        await lastExited.WaitAsync(Generous);
    }

    [Fact]
    public async Task SuccessorThatExitsAtStart_IsReported_AndTheParentServesOn()
    {
        using var chain = new UpgradedProcesses();
        await using var service = await SlowService.StartProcessAsync(["--urls", "http://127.0.0.1:0", "--pid-file", chain.PidFile],
            Command("/bin/sh", "-c", "exit 3"));

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            service.Signal(Signals.SIGHUP);
            await service.WaitForEventAsync(UpgradeFailed, Generous, _ => service.Events(UpgradeFailed).Count == attempt);
        }

        // The reason is the one fact without a field of its own: the successor's exit code is in its text.
        Assert.All(service.Events(UpgradeFailed), e => Assert.Contains("(exit code 3)", e["Reason"], StringComparison.Ordinal));
        Assert.Empty(service.Events(UpgradeIgnored));
        await AssertServesAsync(service);
        Assert.Equal(service.Pid, PidFiles.Read(chain.PidFile));
        // This process's listener was never made inheritable, not even for the successor it started.
        Assert.All(UpgradedProcesses.Sockets(service.Pid), s => Assert.True(s.CloseOnExec, $"Socket descriptor {s.Descriptor} is inheritable."));

        service.Signal(Signals.SIGTERM);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.False(File.Exists(chain.PidFile), "The pid file outlived the process it named.");
    }

    [Fact]
    public async Task SuccessorNeverReady_IsKilledAtTheTimeout_AndTheParentServesOn()
    {
        using var chain = new UpgradedProcesses();
        var environment = Command("sleep", "60");
        environment["Graceful__Upgrade__ReadyTimeout"] = "1s";
        await using var service = await SlowService.StartProcessAsync(["--urls", "http://127.0.0.1:0", "--pid-file", chain.PidFile], environment);

        service.Signal(Signals.SIGHUP);
        var successor = (await service.WaitForEventAsync(UpgradeStarting, Generous)).Number("SuccessorPid");
        chain.Track(successor);
        var failed = await service.WaitForEventAsync(UpgradeFailed, Generous);

        Assert.Equal(successor, failed.Number("SuccessorPid"));
        Assert.Contains("not ready within 1.00s (Graceful:Upgrade:ReadyTimeout) (signal 9)", failed["Reason"], StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/proc/{successor}"), $"The successor {successor} still runs.");
        await AssertServesAsync(service);
        Assert.Equal(service.Pid, PidFiles.Read(chain.PidFile));
    }

    [Fact]
    public async Task SigtermDuringAnUpgrade_KillsTheSuccessor_AndStopsAsUsual()
    {
        using var chain = new UpgradedProcesses();
        await using var service = await SlowService.StartProcessAsync(["--urls", "http://127.0.0.1:0", "--pid-file", chain.PidFile],
            Command("sleep", "60"));

        service.Signal(Signals.SIGHUP);
        var successor = (await service.WaitForEventAsync(UpgradeStarting, Generous)).Number("SuccessorPid");
        chain.Track(successor);
        service.Signal(Signals.SIGTERM);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        var abandoned = Assert.Single(service.Events(UpgradeAbandoned));
        Assert.Equal(successor, abandoned.Number("SuccessorPid"));
        Assert.Contains("(signal 9)", abandoned["Reason"], StringComparison.Ordinal);
        Assert.Empty(service.Events(UpgradeFailed));
        Assert.False(Directory.Exists($"/proc/{successor}"), $"The successor {successor} outlived the shutdown.");
    }

    [Fact]
    public async Task TwoRapidTriggers_MakeOneUpgrade()
    {
        using var chain = new UpgradedProcesses();
        await using var service = await SlowService.StartAsync("--pid-file", chain.PidFile);
        var exited = ExitWatch.Start(service.Pid);

        service.Signal(Signals.SIGHUP);
        // Signals sent back to back may reach the process as one; the second must arrive while the first upgrade runs.
        await service.WaitForEventAsync(UpgradeStarting, Generous);
        service.Signal(Signals.SIGHUP);
        var successor = await PidFileWatch.WaitForNewPidAsync(chain.PidFile, service.Pid, Generous);
        chain.Track(successor);
        await exited.WaitAsync(Generous);

        Assert.Single(service.Events(UpgradeStarting));
        Assert.Contains(service.Events(UpgradeIgnored), e => e["Trigger"] == "SIGHUP" && e["Reason"].Contains("already under way", StringComparison.Ordinal));
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        Assert.Equal(successor.ToString(CultureInfo.InvariantCulture), await client.GetStringAsync("/pid"));
    }

    [Fact]
    public async Task UnixSocketListener_KeepsItsFileAcrossTheUpgrade_AndTheLastProcessRemovesIt()
    {
        using var chain = new UpgradedProcesses();
        var socketPath = Path.Combine(Path.GetTempPath(), $"graceful-{Guid.NewGuid():N}.sock");
        await using var first = await SlowService.StartProcessAsync(["--urls", $"http://unix:{socketPath}", "--pid-file", chain.PidFile],
            waitForListening: false);
        await first.WaitForLineAsync(l => l.Contains($"Now listening on: http://unix:{socketPath}", StringComparison.Ordinal), Generous);
        using var client = UnixSocketClient(socketPath);
        Assert.Equal(first.Pid.ToString(CultureInfo.InvariantCulture), await client.GetStringAsync("/pid"));

        var (_, successor) = await chain.UpgradeAsync();

        // .NET deletes a Unix socket's file when the socket that bound it is disposed: the old process closing its copy
        // must not take the address away from the successor.
        Assert.True(File.Exists(socketPath), "The old process removed the socket file the successor listens on.");
        Assert.Equal(successor.ToString(CultureInfo.InvariantCulture), await client.GetStringAsync("/pid"));

        var exited = ExitWatch.Start(successor);
        Signals.Send(successor, Signals.SIGTERM);
        await exited.WaitAsync(Generous);
        Assert.False(File.Exists(socketPath), "The last process left its socket file behind.");
    }

    private static HttpClient UnixSocketClient(string socketPath) => new(new SocketsHttpHandler
    {
        // A new connection per request, so each reaches whichever process serves the socket now.
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://localhost") };

    private static Dictionary<string, string> Command(params string[] command) =>
        command.Select((part, i) => (Key: $"Graceful__Upgrade__Command__{i}", part)).ToDictionary(p => p.Key, p => p.part);

    private static async Task AssertServesAsync(ServiceProcess service)
    {
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        Assert.Equal(service.Pid.ToString(CultureInfo.InvariantCulture), await client.GetStringAsync("/pid"));
    }
}
