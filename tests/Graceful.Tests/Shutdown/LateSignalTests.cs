using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// Signals that arrive while the shutdown finishes or after the host is gone. A handled signal with no registration
/// left gets the runtime's default action: death by the signal, with no exit line. Graceful keeps its registrations
/// until the process exits, so these are ignored (and reported once) and the exit code stays the drain's.
/// </summary>
public class LateSignalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SigtermWhileHostedServicesStop_AfterTheDrain_IsLogged_AndTheExitIsClean()
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Hostile__SlowStop"] = "00:00:01" });
        service.Signal(Signals.SIGTERM);
        await service.WaitForLineAsync(l => l.Contains("[slow-start] stopping"), Generous);

        // The first signal arrived before that line was written; signals within 100 ms of it would be the same request
        // (RepeatedSignals.Window), and the drain of an idle app now ends well within that. Waiting 150 ms from the line
        // puts the repeat outside the window whatever the machine's load: a safe-direction wait, not a race.
        await Task.Delay(TimeSpan.FromMilliseconds(150));
        service.Signal(Signals.SIGTERM);
        service.Signal(Signals.SIGQUIT);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Single(service.Events(RepeatedAfterDrain));
        Assert.Contains(service.Events(ShutdownStarted), e => e["Trigger"] == "SIGTERM");
        Assert.Contains(service.Events(Exited), e => e.Number("ExitCode") == 0);
    }

    [Fact]
    public async Task SigtermWhileTheHostIsDisposed_IsIgnored_AndReportedOnce()
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Hostile__SlowDispose"] = "00:00:01" });
        service.Signal(Signals.SIGTERM);
        await service.WaitForLineAsync(l => l.Contains("[slow-start] disposing"), Generous);

        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(IgnoredAfterShutdown, Generous, e => e["Signal"] == "SIGTERM");
        service.Signal(Signals.SIGTERM);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        // Reported once: neither logged again nor written to standard error (the message once the host is gone).
        Assert.Single(service.Events(IgnoredAfterShutdown));
        Assert.DoesNotContain(service.ErrorLines, l => l.Contains("received after the host stopped", StringComparison.Ordinal));
        Assert.Contains("[app] exiting", service.Lines);
    }

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGINT")]
    [InlineData("SIGQUIT")]
    [InlineData("SIGHUP")]
    public async Task SignalAfterTheHostIsDisposed_IsIgnored_AndReportedOnStandardError(string signal)
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Hostile__LingerAfterRun"] = "00:00:02" });
        service.Signal(Signals.SIGTERM);
        await service.WaitForLineAsync(l => l.Contains("[app] Run returned"), Generous);

        service.Signal(signal);
        await service.WaitForLineAsync(l => l.Contains($"Graceful: {signal} received after the host stopped: ignored"), Generous);
        service.Signal(signal);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Single(service.Lines, l => l.Contains("received after the"));
        Assert.Contains("[app] exiting", service.Lines);
    }
}
