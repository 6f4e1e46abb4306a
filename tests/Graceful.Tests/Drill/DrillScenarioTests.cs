namespace Graceful.Tests.Drill;

/// <summary>graceful-drill's restart scenarios end to end: in-place upgrades by SIGHUP, and a rolling restart behind HAProxy.</summary>
public class DrillScenarioTests
{
    [Fact]
    public async Task RepeatedInPlaceUpgrades_ThatHandOverTheListener_LoseNothing_AndEveryGenerationIsTracked()
    {
        var pidFile = Path.Combine(Path.GetTempPath(), $"drill-upgrade-{Guid.NewGuid():N}.pid");
        try
        {
            using var drill = await GracefulDrill.RunAsync("upgrade", "--pid-file", pidFile, "--count", "2", "--at", "1s", "--every", "1s",
                "--rate", "100", "-c", "8", "--request", "80 GET /ping", "--request", "20 GET /slow",
                "--", "dotnet", GracefulDrill.TestServerDll, "upgrade", "--urls", "http://127.0.0.1:0", "--pid-file", pidFile);

            Assert.True(drill.ExitCode == 0, drill.ToString());
            Assert.Equal(0, drill.Count("lost"));
            Assert.Equal(0, drill.Count("refused"));
            Assert.True(drill.Count("ok") > 100, drill.ToString());
            Assert.Equal(2, drill.Markers.Count(m => m.GetProperty("label").GetString()!.StartsWith("SIGHUP", StringComparison.Ordinal)));
            Assert.Equal(2, drill.Markers.Count(m => m.GetProperty("label").GetString()!.StartsWith("pid file names", StringComparison.Ordinal)));
            // Three generations: the started one (exit code known), the one in between, the last one stopped after the load.
            Assert.Equal(3, drill.Exits.Select(e => e.GetProperty("pid").GetInt32()).Distinct().Count());
            Assert.Contains(drill.Exits, e => e.TryGetProperty("exitCode", out var code) && code.GetInt32() == 0);
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    [Fact]
    public async Task RollingRestartBehindHaproxy_OfAGracefulServiceWithAPreStopDelay_FailsNoRequest()
    {
        if (!File.Exists(HaproxyProcess.Program))
        {
            Assert.Skip($"{HaproxyProcess.Program} is missing: install Debian's haproxy package (.ci/run does).");
        }

        using var drill = await GracefulDrill.RunAsync("rolling", "--instances", "2", "--restarts", "2", "--at", "500ms", "--lag", "500ms", "--pause", "200ms",
            "--rate", "100", "-c", "8", "--", "dotnet", SlowService.Dll, "--pre-stop-delay", "1s");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.Equal(drill.Count("requests"), drill.Count("ok"));
        Assert.True(drill.Count("ok") > 0, drill.ToString());
        Assert.Equal(2, drill.Exits.Count());
        Assert.All(drill.Exits, e => Assert.Equal(0, e.GetProperty("exitCode").GetInt32()));
        Assert.Equal(2, drill.Markers.Count(m => m.GetProperty("label").GetString()!.Contains("back in rotation", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RollingRestartBehindHaproxyInTcpMode_WithCloseSpread_FailsNoRequest_AndCountsTheReconnectsAtTheOtherInstance()
    {
        if (!File.Exists(HaproxyProcess.Program))
        {
            Assert.Skip($"{HaproxyProcess.Program} is missing: install Debian's haproxy package (.ci/run does).");
        }

        using var drill = await GracefulDrill.RunAsync("rolling", "--balancer", "haproxy-tcp", "--instances", "2", "--restarts", "1", "--at", "500ms",
            "--lag", "0s", "--rate", "100", "-c", "8", "--", "env", "Graceful__CloseSpread=1s", "dotnet", SlowService.Dll, "--pre-stop-delay", "200ms");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.Equal(drill.Count("requests"), drill.Count("ok"));
        var restart = Assert.Single(drill.Json!.RootElement.GetProperty("newConnections").EnumerateArray());
        Assert.Equal("s1", restart.GetProperty("server").GetString());
        // HAProxy balanced the 8 connections over the two instances: s1's clients reconnected, to s2.
        Assert.True(restart.GetProperty("total").GetInt64() > 0, drill.ToString());
        Assert.InRange(restart.GetProperty("peakPerSecond").GetInt64(), 1, restart.GetProperty("total").GetInt64());
        Assert.Contains("New connections at the instances left serving while s1 restarted", drill.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RollingRestartBehindYarp_OfAGracefulServiceWithAnAdaptivePreStop_FailsNoRequest()
    {
        using var drill = await GracefulDrill.RunAsync("rolling", "--balancer", "yarp", "--instances", "2", "--restarts", "2", "--at", "500ms", "--lag", "500ms",
            "--pause", "200ms", "--rate", "100", "-c", "8", "--", "dotnet", SlowService.Dll, "--pre-stop-delay", "200ms", "--pre-stop-quiet", "500ms");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.Equal(drill.Count("requests"), drill.Count("ok"));
        Assert.True(drill.Count("ok") > 0, drill.ToString());
        Assert.All(drill.Exits, e => Assert.Equal(0, e.GetProperty("exitCode").GetInt32()));
        Assert.Contains("YARP", drill.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2Load_AgainstAGracefulService_IsAnsweredAndDrained()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--http", "2", "--signal", "TERM@1s", "--rate", "100", "-c", "8",
            "--", "env", "Kestrel__EndpointDefaults__Protocols=Http2", "dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.True(drill.Count("ok") > 0, drill.ToString());
        Assert.Equal(0, drill.Count("lost"));
    }
}
