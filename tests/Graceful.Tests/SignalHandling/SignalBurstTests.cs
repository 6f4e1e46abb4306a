using System.Diagnostics;
using Graceful.AspNetCore.Platform.Signals;
using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.SignalHandling;

/// <summary>One request to stop that arrives as several signals (a supervisor and a wrapper both forwarding).</summary>
public class SignalBurstTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BurstOfSigterms_DuringASlowRequest_IsOneShutdown_TheRequestCompletes_AndTheExitIsClean()
    {
        using var report = new ReportFile();
        await using var service = await HostileApp.StartAsync(report.Environment);
        using var connection = await service.StartRequestUntilDrainingAsync();

        // Linux merges a signal that is still pending, so a burst sent all at once can arrive as one and pass without
        // any window. Each signal is sent once the previous one has been delivered (has left the process's pending
        // set): typically 0.1-1 ms apart, and never merged however loaded the machine is.
        var sentAt = Stopwatch.GetTimestamp();
        for (var i = 0; i < 3; i++)
        {
            service.Signal(Signals.SIGTERM);
            await WaitUntilDeliveredAsync(service.Pid, Signals.SIGTERM);
        }

        var sendSpread = Stopwatch.GetElapsedTime(sentAt);

        var response = await connection.ReadResponseAsync();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));

        var burst = Assert.Single(service.Events(SignalBurst));
        var arrived = burst.Number("Count");
        Assert.True(arrived >= 2, $"the handler saw {arrived} signals (sent over {sendSpread.TotalMilliseconds:F1} ms): {burst.Message}");
        Assert.Equal("SIGTERM", Assert.Single(service.Events(ShutdownStarted))["Trigger"]);
        Assert.Empty(service.Events(ForcingDeadline));
        Assert.Empty(service.Events(HostTimeoutCut));
        var exit = report.Read();
        Assert.Equal(("SIGTERM", 0, 1), (exit.Signal, exit.ExitCode, exit.Totals.Completed));
    }

    [Fact]
    public async Task ARepeatAfterTheWindow_StillCutsTheDrainAtOnce()
    {
        await using var service = await HostileApp.StartAsync();
        using var connection = await service.StartSlowRequestAsync(TimeSpan.FromSeconds(60));
        service.Signal(Signals.SIGINT);
        await service.WaitForEventAsync(ClosedIdle, Generous);
        // The window is a span of time after the first signal's handler ran (which the line above proves): waiting
        // it out is the condition under test, not a guess at how long something takes.
        await Task.Delay(RepeatedSignals.Window * 2);

        var secondAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGTERM);

        Assert.Equal(1, await service.WaitForExitAsync(Generous));
        Assert.True(Stopwatch.GetElapsedTime(secondAt, service.ExitedAt) < TimeSpan.FromSeconds(20), "the repeat does not wait out the 60 s request");
        Assert.Contains(service.Events(ForcingDeadline), e => e["Signal"] == "SIGTERM");
        Assert.Empty(service.Events(SignalBurst));
    }

    // /proc/PID/status's ShdPnd: the signals pending for the whole process, one bit per signal (bit n-1 for signal n).
    private static async Task WaitUntilDeliveredAsync(int pid, int signal)
    {
        var bit = 1UL << (signal - 1);
        var waited = Stopwatch.StartNew();
        while ((PendingSignals(pid) & bit) != 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the signal was not delivered");
            await Task.Yield();
        }
    }

    private static ulong PendingSignals(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("ShdPnd:", StringComparison.Ordinal));
        return ulong.Parse(line["ShdPnd:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }
}
