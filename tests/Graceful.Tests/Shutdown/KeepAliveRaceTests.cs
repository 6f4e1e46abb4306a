namespace Graceful.Tests.Shutdown;

/// <summary>
/// The race Go net/http and ASP.NET Core lose: a client writes its next request on a keep-alive connection at the
/// moment the server closes it as idle. Graceful must answer every request sent on an open connection.
/// </summary>
public class KeepAliveRaceTests
{
    [Fact]
    public async Task BusyKeepAliveClients_RacingASigterm_LoseNoRequest()
    {
        await using var service = await SlowService.StartAsync();
        var load = KeepAliveLoad.RunAsync(service.BaseAddress, clients: 32, "/ping", TimeSpan.FromSeconds(10));
        await Task.Delay(500);

        service.Signal(Signals.SIGTERM);
        var result = await load;

        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(result.Ok > 100, $"the load ran: {result}");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.NonSuccess);
    }
}
