namespace Graceful.Tests.Shutdown;

/// <summary>
/// The short CI version of bench/rolling-restart.sh: two instances behind HAProxy (no health checks, retries 0),
/// restarted in turn while HAProxy learns of each stop 1 s after the SIGTERM.
/// </summary>
public class RollingRestartTests
{
    [Fact]
    public async Task WithAPreStopDelayLongerThanTheBalancersLag_ARollingRestartFailsNoRequest()
    {
        if (!File.Exists(HaproxyProcess.Program))
        {
            Assert.Skip($"{HaproxyProcess.Program} is missing: install Debian's haproxy package (.ci/run does).");
        }

        var result = await RollingRestart.RunAsync(SlowService.Dll, ["--pre-stop-delay", "2s"], restarts: 2, lag: TimeSpan.FromSeconds(1));

        Assert.True(result.Ok > 200, $"the load ran through the restarts: {result}");
        Assert.Equal(0, result.Failed);
    }
}
