using System.Diagnostics;
using Graceful.AspNetCore.Platform.Signals;

namespace Graceful.Tests.Shutdown;

/// <summary>An operator's second Ctrl+C (or SIGTERM) during a drain.</summary>
public class SecondSignalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SecondSignal_DuringAnUnboundedDrain_CutsItNow_AndSaysWhatWasCut()
    {
        await using var service = await SlowService.StartAsync("--slow", "30s");
        using var connection = await service.StartSlowRequestAsync();
        service.Signal(Signals.SIGINT);
        await service.WaitForLineAsync(l => l.Contains("Phase 2/5"), Generous);
        // A repeat within the burst window is the same request; wait the window out (its start is proven by the line above).
        await Task.Delay(RepeatedSignals.Window * 2);

        var secondAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGINT);

        Assert.Equal(1, await service.WaitForExitAsync(Generous));
        Assert.True(Stopwatch.GetElapsedTime(secondAt, service.ExitedAt) < TimeSpan.FromSeconds(10), "the second signal does not wait out the 30 s request");
        Assert.Contains(service.Lines, l => l.Contains("SIGINT received again: cutting the drain now"));
        Assert.Contains(service.Lines, l => l.Contains("Drain deadline: aborting GET /slow"));
        Assert.Contains(service.Lines, l => l.Contains("exit code 1 after SIGINT") && l.Contains("1 aborted"));
    }

    [Fact]
    public async Task SecondSignal_WhenConfiguredNotToForce_IsLogged_AndTheDrainCompletes()
    {
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", "http://127.0.0.1:0", "--slow", "2s"],
            new Dictionary<string, string> { ["Graceful__SecondSignalForcesDeadline"] = "false" });
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
        var slow = client.GetAsync("/slow");
        await service.WaitForLineAsync(l => l.Contains("[start] SlowHandler"), Generous);
        service.Signal(Signals.SIGTERM);
        await service.WaitForLineAsync(l => l.Contains("Phase 2/5"), Generous);
        // A repeat within the burst window is the same request; wait the window out (its start is proven by the line above).
        await Task.Delay(RepeatedSignals.Window * 2);

        service.Signal(Signals.SIGTERM);

        (await slow).EnsureSuccessStatusCode();
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Contains(service.Lines, l => l.Contains("SIGTERM received while already shutting down: the drain goes on"));
    }
}
