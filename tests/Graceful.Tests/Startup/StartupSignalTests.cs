using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Startup;

/// <summary>
/// A signal while the host starts (Kubernetes deletes pods during rollouts). Bare ASP.NET Core cancels the start:
/// Kestrel's bind throws out of app.Run() (SIGABRT and a stack trace) and the hosted services that had started are
/// never stopped. With Graceful the start completes without serving, then every started hosted service stops.
/// </summary>
public class StartupSignalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("[app] built", "SIGTERM")]              // after Build(), before app.Run()
    [InlineData("[first] started", "SIGTERM")]          // between two hosted services' starts
    [InlineData("[slow-start] starting", "SIGTERM")]    // while a slow hosted service starts
    [InlineData("[slow-start] starting", "SIGINT")]
    [InlineData("[slow-start] started", "SIGTERM")]     // while Kestrel binds, or just after: either way a clean stop
    public async Task SignalDuringStartup_StopsEveryStartedHostedService_WithoutAnException_AndExitsZero(string moment, string signal)
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string>
        {
            ["Hostile__DelayBeforeRun"] = "00:00:00.5",
            ["Hostile__SlowStart"] = "00:00:01.5",
        }, waitForListening: false);
        await service.WaitForLineAsync(l => l.Contains(moment), Generous);

        service.Signal(signal);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        var lines = service.Lines;
        Assert.DoesNotContain(lines, l => l.Contains("Unhandled exception") || l.Contains("Exception:") || l.Contains("   at "));
        Assert.Contains("[first] stopped", lines);
        Assert.Contains("[slow-start] stopped", lines);
        Assert.True(lines.ToList().IndexOf("[slow-start] stopped") < lines.ToList().IndexOf("[first] stopped"), "hosted services stop in reverse order");
        Assert.Contains("[app] Run returned", lines);
        if (moment != "[slow-start] started")
        {
            Assert.Equal(signal, Assert.Single(service.Events(StoppingBeforeServing))["Signal"]);
            Assert.Empty(service.Events(ApplicationStarted));
        }
    }

    [Fact]
    public async Task SignalWhileKestrelListensButStartupIsNotOver_ConnectionsAreClosedUnserved()
    {
        // A lifecycle service's StartedAsync runs once Kestrel listens and before the application counts as started.
        using var report = new ReportFile();
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string>(report.Environment) { ["Hostile__SlowStarted"] = "00:00:03" });
        await service.WaitForLineAsync(l => l.Contains("[slow-started] waiting"), Generous);
        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(StoppingBeforeServing, Generous, e => e["Signal"] == "SIGTERM");

        // Unserved either way: the reset can arrive before the client's connect completes (seen on a fresh CI machine)
        // or after its request was sent.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var connection = await RawHttpConnection.ConnectAsync(service.BaseAddress);
            await connection.SendGetAsync("/ping");
            await connection.ReadResponseAsync();
        });

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Contains("[slow-started] done", service.Lines);
        Assert.Contains(service.Events(ShutdownStarted), e => (e["Trigger"], e.Number("Requests"), e.Number("Connections")) == ("SIGTERM", 0, 0));
        var exit = report.Read();
        Assert.Equal(("SIGTERM", 0, 0), (exit.Signal, exit.ExitCode, exit.Totals.Requests));
        Assert.Empty(service.Events(ApplicationStarted));
    }
}
