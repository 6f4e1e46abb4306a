using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.SignalHandling;

/// <summary>SIGHUP without in-place upgrades on it: a terminal hang-up, or systemctl reload with ExecReload=kill -HUP.</summary>
public class SighupTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sighup_WithUpgradesOff_DrainsLikeSigterm_AndExitsZero()
    {
        using var report = new ReportFile();
        await using var service = await HostileApp.StartAsync(report.Environment);
        using var connection = await service.StartRequestUntilDrainingAsync();

        service.Signal(Signals.SIGHUP);

        var response = await connection.ReadResponseAsync();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Contains(service.Events(ShutdownStarted), e => e["Trigger"] == "SIGHUP" && e.Number("Requests") == 1);
        var exit = report.Read();
        Assert.Equal(("SIGHUP", 0), (exit.Signal, exit.ExitCode));
    }

    [Fact]
    public async Task Sighup_WhenConfiguredToIgnoreIt_IsLoggedOnce_AndTheAppServesOn()
    {
        using var report = new ReportFile();
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string>(report.Environment) { ["Graceful__IgnoreSighup"] = "true" });

        service.Signal(Signals.SIGHUP);
        await service.WaitForEventAsync(SighupIgnored, Generous);
        service.Signal(Signals.SIGHUP);

        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
        Assert.Equal("pong", await client.GetStringAsync("/ping"));
        service.Signal(Signals.SIGTERM);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        // Logged once, and never a trigger of the shutdown.
        Assert.Single(service.Events(SighupIgnored));
        Assert.DoesNotContain(service.Events(ShutdownStarted), e => e["Trigger"] == "SIGHUP");
        var exit = report.Read();
        Assert.Equal(("SIGTERM", 0), (exit.Signal, exit.ExitCode));
    }
}
