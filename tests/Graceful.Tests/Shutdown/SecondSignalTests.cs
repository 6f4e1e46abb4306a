using System.Diagnostics;
using Graceful.AspNetCore.Platform.Signals;
using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Shutdown;

/// <summary>An operator's second Ctrl+C (or SIGTERM) during a drain.</summary>
public class SecondSignalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SecondSignal_DuringAnUnboundedDrain_CutsItNow_AndSaysWhatWasCut()
    {
        using var report = new ReportFile();
        await using var service = await SlowService.StartAsync("--slow", "30s", "--report", report.Path);
        using var connection = await service.StartSlowRequestAsync();
        service.Signal(Signals.SIGINT);
        await service.WaitForEventAsync(ClosedIdle, Generous);
        // A repeat within the burst window is the same request; wait the window out (its start is proven by the line above).
        await Task.Delay(RepeatedSignals.Window * 2);

        var secondAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGINT);

        Assert.Equal(1, await service.WaitForExitAsync(Generous));
        Assert.True(Stopwatch.GetElapsedTime(secondAt, service.ExitedAt) < TimeSpan.FromSeconds(10), "the second signal does not wait out the 30 s request");
        Assert.Contains(service.Events(ForcingDeadline), e => e["Signal"] == "SIGINT");
        Assert.Contains(service.Events(RequestCut), e => e["Method"] == "GET" && e["Path"] == "/slow");
        var exit = report.Read();
        Assert.Equal(("SIGINT", 1, 1), (exit.Signal, exit.ExitCode, exit.Totals.Aborted));
    }

    [Fact]
    public async Task SecondSignal_WhenConfiguredNotToForce_IsLogged_AndTheDrainCompletes()
    {
        await using var service = await SlowService.StartProcessAsync(["--urls", "http://127.0.0.1:0", "--slow", "2s"],
            new Dictionary<string, string> { ["Graceful__SecondSignalForcesDeadline"] = "false" });
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
        var slow = client.GetAsync("/slow");
        await service.WaitForEventAsync(SlowService.HandlerStarted, Generous);
        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(ClosedIdle, Generous);
        // A repeat within the burst window is the same request; wait the window out (its start is proven by the line above).
        await Task.Delay(RepeatedSignals.Window * 2);

        service.Signal(Signals.SIGTERM);

        (await slow).EnsureSuccessStatusCode();
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Contains(service.Events(AlreadyShuttingDown), e => e["Trigger"] == "SIGTERM");
    }
}
