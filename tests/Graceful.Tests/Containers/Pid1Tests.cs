using System.Diagnostics;
using System.Globalization;
using System.Net;
using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Containers;

/// <summary>
/// The sample as a container's entrypoint: PID 1 of its own PID namespace (<c>unshare --pid --fork --mount-proc</c>,
/// what a container runtime does), signalled from outside as <c>docker stop</c> does; and under tini as PID 1, as
/// <c>docker run --init</c> runs it.
/// </summary>
public class Pid1Tests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AsPid1_SigtermDrainsTheSlowRequest_AndUpgradesAreRefusedWithOneLineAtStart()
    {
        var (unshare, pid1) = await StartInPidNamespaceAsync("dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0", "--slow", "2s");
        await using var _ = unshare;
        using var client = new HttpClient { BaseAddress = unshare.BaseAddress, Timeout = Generous };
        Assert.Equal("1", await client.GetStringAsync("/pid"));

        // The upgrade signal is refused, not taken for a shutdown: the instance serves on, and no successor starts.
        Signals.Send(pid1, Signals.SIGHUP);
        await unshare.WaitForEventAsync(UpgradeIgnored, Generous);
        Assert.Equal("1", await client.GetStringAsync("/pid"));

        await SigtermDrainsASlowRequestAsync(unshare, client, pid1);
    }

    [Fact]
    public async Task UnderTiniAsPid1_SigtermToTiniDrains_AndUpgradesAreRefusedWithOneLineAtStart()
    {
        if (!File.Exists("/usr/bin/tini"))
        {
            Assert.Skip("tini is not installed (Debian's tini package; .ci/run installs it).");
        }

        var (unshare, tini) = await StartInPidNamespaceAsync("/usr/bin/tini", "--", "dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0", "--slow", "2s");
        await using var _ = unshare;
        using var client = new HttpClient { BaseAddress = unshare.BaseAddress, Timeout = Generous };
        Assert.Equal("2", await client.GetStringAsync("/pid"));

        // tini forwards the stop signal to the app.
        await SigtermDrainsASlowRequestAsync(unshare, client, tini);
    }

    // Starts the command as PID 1 of a new PID namespace and checks that the sample said once, at start, that upgrades
    // are refused. Returns unshare and the namespace's PID 1 as seen from here.
    private static async Task<(ServiceProcess Unshare, int Pid1)> StartInPidNamespaceAsync(params string[] command)
    {
        if (await UnshareRefusal() is { } reason)
        {
            Assert.Skip($"unshare cannot make a PID namespace here ({reason}); containers are not tested on this machine.");
        }

        var unshare = await ServiceProcess.StartAsync("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", .. command], StructuredLog.Environment);
        try
        {
            var children = File.ReadAllText($"/proc/{unshare.Pid}/task/{unshare.Pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var pid1 = int.Parse(Assert.Single(children), CultureInfo.InvariantCulture);
            Assert.Equal(1, PidInItsNamespace(pid1));
            Assert.Single(unshare.Events(UpgradesRefused));
            return (unshare, pid1);
        }
        catch
        {
            await unshare.DisposeAsync();
            throw;
        }
    }

    private static async Task SigtermDrainsASlowRequestAsync(ServiceProcess unshare, HttpClient client, int pid1)
    {
        var slow = client.GetAsync("/slow");
        await unshare.WaitForEventAsync(SlowService.HandlerStarted, Generous);
        Signals.Send(pid1, Signals.SIGTERM);

        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await unshare.WaitForExitAsync(Generous));
        Assert.Contains(unshare.Events(ShutdownStarted), e => (e["Trigger"], e.Number("Requests"), e.Number("Connections")) == ("SIGTERM", 1, 1));
    }

    // /proc/PID/status "NSpid:" lists the pid in each PID namespace, outermost first.
    private static int PidInItsNamespace(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("NSpid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture);

    private static async Task<string?> UnshareRefusal()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("unshare", ["--pid", "--fork", "--mount-proc", "true"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var error = await probe.StandardError.ReadToEndAsync();
            await probe.WaitForExitAsync();
            return probe.ExitCode == 0 ? null : $"exit code {probe.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ex.Message;
        }
    }
}
