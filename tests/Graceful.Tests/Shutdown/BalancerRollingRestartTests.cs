namespace Graceful.Tests.Shutdown;

/// <summary>
/// Rolling restarts of two instances with the adaptive pre-stop behind real balancers that learn of each stop from
/// outside, 1 s after the SIGTERM: HAProxy with its default <c>http-reuse safe</c> told through its runtime API, and
/// YARP (tools/YarpBalancer, from NuGet, so it never skips) whose in-memory configuration drops the destination. No
/// request may fail, and each instance's report must say its pre-stop ended because the traffic stopped ("quiet"),
/// not at the maximum: a pre-stop that always ran to the maximum would also fail nothing.
/// </summary>
public class BalancerRollingRestartTests
{
    // The minimum (1.5 s) outlasts the 1 s lag, so a stalled load generator on a loaded machine cannot make the
    // instance close before the balancer was told; the quiet period then waits for the balancer itself to stop.
    private static readonly string[] Adaptive = ["--pre-stop-delay", "1500ms", "--pre-stop-quiet", "500ms", "--pre-stop-max", "15s", "--report", "{report}"];

    public static TheoryData<string, string> Cells => new()
    {
        { "haproxy-safe", "back-to-back" },
        { "haproxy-safe", "short" },
        { "yarp", "back-to-back" },
        { "yarp", "short" },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task BehindABalancerToldFromOutside_AnAdaptivePreStopFailsNoRequestAndEndsByQuiet(string balancer, string load)
    {
        var setup = BalancerSetup.Parse(balancer) with { YarpProgram = RepoPaths.ProgramDll("tools/YarpBalancer") };
        if (setup.Missing() is { } missing)
        {
            Assert.Skip($"{missing} (.ci/run does).");
        }

        var result = await RollingRestart.RunAsync(new RollingRun(SlowService.Dll, Adaptive)
        {
            Balancer = setup,
            Load = LoadShape.Parse(load),
            Restarts = 2,
            Lag = TimeSpan.FromSeconds(1),
        });

        var detail = string.Join("\n", result.Restarts);
        Assert.True(result.Load.Ok > 100, $"the load ran through the restarts: {result.Load}\n{detail}");
        Assert.Equal(0, result.Load.Failed);
        Assert.Equal(2, result.Restarts.Count);
        Assert.All(result.Restarts, r =>
        {
            Assert.Equal(0, r.ExitCode);
            Assert.Equal("quiet", r.PreStop?.EndedBy);
            // The balancer's own log saw traffic reach the instance during its pre-stop, and none after the listener
            // closed that the instance could not serve (the load counted every response).
            Assert.True(r.PreStop!.Requests > 0, $"traffic arrived during the pre-stop: {r}");
            Assert.NotNull(r.LastRequestBeforeClose);
        });
    }
}
