using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Graceful.Tests.Containers;

/// <summary>
/// The sample as a container's entrypoint: PID 1 of its own PID namespace (<c>unshare --pid --fork --mount-proc</c>,
/// what a container runtime does), signalled from outside as <c>docker stop</c> does.
/// </summary>
public class Pid1Tests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AsPid1_SigtermDrainsTheSlowRequest_AndUpgradesAreRefusedWithOneLineAtStart()
    {
        if (await UnshareRefusal() is { } reason)
        {
            Assert.Skip($"unshare cannot make a PID namespace here ({reason}); containers are not tested on this machine.");
        }

        await using var unshare = await ServiceProcess.StartAsync("unshare",
            ["--pid", "--fork", "--mount-proc", "--kill-child", "dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0", "--slow", "2s"]);
        var service = InnerProcess(unshare.Pid);
        Assert.Equal(1, PidInItsNamespace(service));
        Assert.Single(unshare.Lines, l => l.Contains("UpgradeLifecycle[79]", StringComparison.Ordinal));

        // The upgrade signal is refused, not taken for a shutdown: the instance serves on, and no successor starts.
        Signals.Send(service, Signals.SIGHUP);
        await unshare.WaitForLineAsync(l => l.Contains("UpgradeCoordinator[73]", StringComparison.Ordinal), Generous);
        using var client = new HttpClient { BaseAddress = unshare.BaseAddress, Timeout = Generous };
        Assert.Equal("pong", await client.GetStringAsync("/ping"));
        Assert.Equal("1", await client.GetStringAsync("/pid"));

        var slow = client.GetAsync("/slow");
        await unshare.WaitForLineAsync(l => l.Contains("[start] SlowHandler"), Generous);
        Signals.Send(service, Signals.SIGTERM);

        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await unshare.WaitForExitAsync(Generous));
        Assert.Contains(unshare.Lines, l => l.Contains("SIGTERM received: draining 1 requests on 1 connections"));
    }

    [Fact]
    public async Task UnderTiniAsPid1_SigtermToTiniDrains_AndUpgradesAreRefusedWithOneLineAtStart()
    {
        if (await UnshareRefusal() is { } reason)
        {
            Assert.Skip($"unshare cannot make a PID namespace here ({reason}); containers are not tested on this machine.");
        }

        if (!File.Exists("/usr/bin/tini"))
        {
            Assert.Skip("tini is not installed (Debian's tini package; .ci/run installs it).");
        }

        // As docker run --init, or ENTRYPOINT ["tini", "--", ...]: tini is PID 1 and forwards the stop signal.
        await using var unshare = await ServiceProcess.StartAsync("unshare",
            ["--pid", "--fork", "--mount-proc", "--kill-child", "/usr/bin/tini", "--", "dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0", "--slow", "2s"]);
        var tini = InnerProcess(unshare.Pid);
        Assert.Equal(1, PidInItsNamespace(tini));
        Assert.Single(unshare.Lines, l => l.Contains("UpgradeLifecycle[79]", StringComparison.Ordinal));

        using var client = new HttpClient { BaseAddress = unshare.BaseAddress, Timeout = Generous };
        Assert.Equal("2", await client.GetStringAsync("/pid"));
        var slow = client.GetAsync("/slow");
        await unshare.WaitForLineAsync(l => l.Contains("[start] SlowHandler"), Generous);
        Signals.Send(tini, Signals.SIGTERM);

        using var response = await slow;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await unshare.WaitForExitAsync(Generous));
        Assert.Contains(unshare.Lines, l => l.Contains("SIGTERM received: draining 1 requests on 1 connections"));
    }

    // The namespace's PID 1 seen from here: the one child unshare forked.
    private static int InnerProcess(int unsharePid)
    {
        var children = File.ReadAllText($"/proc/{unsharePid}/task/{unsharePid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return int.Parse(Assert.Single(children), CultureInfo.InvariantCulture);
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
