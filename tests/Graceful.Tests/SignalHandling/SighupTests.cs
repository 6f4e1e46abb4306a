namespace Graceful.Tests.SignalHandling;

/// <summary>SIGHUP without in-place upgrades on it: a terminal hang-up, or systemctl reload with ExecReload=kill -HUP.</summary>
public class SighupTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sighup_WithUpgradesOff_DrainsLikeSigterm_AndExitsZero()
    {
        await using var service = await HostileApp.StartAsync();
        using var connection = await service.StartSlowRequestAsync(TimeSpan.FromSeconds(1));

        service.Signal(Signals.SIGHUP);

        var response = await connection.ReadResponseAsync();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Contains(service.Lines, l => l.Contains("SIGHUP received: draining 1 requests"));
        Assert.Contains(service.Lines, l => l.Contains("exit code 0 after SIGHUP"));
    }

    [Fact]
    public async Task Sighup_WhenConfiguredToIgnoreIt_IsLoggedOnce_AndTheAppServesOn()
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Graceful__IgnoreSighup"] = "true" });

        service.Signal(Signals.SIGHUP);
        await service.WaitForLineAsync(l => l.Contains("SIGHUP received: ignored"), Generous);
        service.Signal(Signals.SIGHUP);

        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
        Assert.Equal("pong", await client.GetStringAsync("/ping"));
        service.Signal(Signals.SIGTERM);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Single(service.Lines, l => l.Contains("SIGHUP received"));
        Assert.Contains(service.Lines, l => l.Contains("exit code 0 after SIGTERM"));
    }
}
