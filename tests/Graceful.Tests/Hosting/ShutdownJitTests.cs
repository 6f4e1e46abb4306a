using Graceful.AspNetCore.Hosting;

namespace Graceful.Tests.Hosting;

/// <summary>
/// The JIT warm-up's check: under a JIT runtime, Graceful's own code on the shutdown path is compiled before the signal
/// (ShutdownPathWarmup), so a stop does not spend its first milliseconds compiling it. Counted from the JIT's own list
/// of what it compiles, in a real child process stopped by a real SIGTERM. Without the warm-up the sample compiles
/// about 150 of Graceful's methods after the signal (docs/benchmarks.md).
/// </summary>
public sealed class ShutdownJitTests
{
    // Left for the bound: a method on a path the idle sample does not take at start-up and that the warm-up cannot
    // reach (none at the time of writing, in Debug or Release).
    private const int Bound = 5;

    [Fact]
    public async Task IdleSampleService_CompilesAtMostAFewOfGracefulsMethods_AfterSigterm()
    {
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>(JitLog.Environment)
        {
            ["Logging__LogLevel__Graceful.AspNetCore.Hosting.ShutdownPathWarmup"] = "Debug",
        });
        var warmedUp = EventKey.Of(typeof(ShutdownPathWarmup), "ShutdownPathWarmedUp");
        await service.WaitForLineAsync(warmedUp.IsOn, TimeSpan.FromSeconds(60));
        var beforeSignal = service.Lines.Count;

        service.Signal(Signals.SIGTERM);
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        var graceful = JitLog.FirstCompilations(service.Lines, beforeSignal).Where(m => m.Contains("Graceful.AspNetCore", StringComparison.Ordinal)).ToList();
        Assert.True(graceful.Count <= Bound, $"{graceful.Count} of Graceful's methods compiled after SIGTERM:\n{string.Join('\n', graceful)}");
    }
}
