using System.Diagnostics;
using System.Text.RegularExpressions;
using Graceful.AspNetCore.Signals;

namespace Graceful.Tests.SignalHandling;

/// <summary>One request to stop that arrives as several signals (a supervisor and a wrapper both forwarding).</summary>
public partial class SignalBurstTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BurstOfSigterms_DuringASlowRequest_IsOneShutdown_TheRequestCompletes_AndTheExitIsClean()
    {
        await using var service = await HostileApp.StartAsync();
        using var connection = await service.StartSlowRequestAsync(TimeSpan.FromSeconds(2));

        // Spaced about 1-2 ms apart, so the kernel delivers more than one: Linux merges a signal that is still
        // pending, and a burst sent all at once could arrive as one and pass without any window. Five signals
        // over about 10 ms stay far inside the 100 ms window even if the test is descheduled between two of them.
        var sentAt = Stopwatch.GetTimestamp();
        for (var i = 0; i < 5; i++)
        {
            service.Signal(Signals.SIGTERM);
            Thread.Sleep(1);
        }

        var sendSpread = Stopwatch.GetElapsedTime(sentAt);

        var response = await connection.ReadResponseAsync();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));

        var burst = service.Lines.Single(l => l.Contains("signals arrived within"));
        var arrived = int.Parse(BurstCount().Match(burst).Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(arrived >= 2, $"the handler saw {arrived} signals (sent over {sendSpread.TotalMilliseconds:F1} ms): {burst}");
        Assert.Single(service.Lines, l => l.Contains("SIGTERM received: draining"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("cutting the drain"));
        Assert.Contains(service.Lines, l => l.Contains("exit code 0 after SIGTERM") && l.Contains("1 completed"));
    }

    [Fact]
    public async Task ARepeatAfterTheWindow_StillCutsTheDrainAtOnce()
    {
        await using var service = await HostileApp.StartAsync();
        using var connection = await service.StartSlowRequestAsync(TimeSpan.FromSeconds(60));
        service.Signal(Signals.SIGINT);
        await service.WaitForLineAsync(l => l.Contains("Phase 2/5"), Generous);
        // The window is a span of time after the first signal's handler ran (which the line above proves): waiting
        // it out is the condition under test, not a guess at how long something takes.
        await Task.Delay(RepeatedSignals.Window * 2);

        var secondAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGTERM);

        Assert.Equal(1, await service.WaitForExitAsync(Generous));
        Assert.True(Stopwatch.GetElapsedTime(secondAt, service.ExitedAt) < TimeSpan.FromSeconds(20), "the repeat does not wait out the 60 s request");
        Assert.Contains(service.Lines, l => l.Contains("SIGTERM received again: cutting the drain now"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("signals arrived within"));
    }

    [GeneratedRegex(@"(?<n>\d+) signals arrived within")]
    private static partial Regex BurstCount();
}
