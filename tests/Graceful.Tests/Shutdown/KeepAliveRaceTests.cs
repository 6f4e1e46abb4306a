using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

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
        var counters = new LoadCounters();
        var load = KeepAliveLoad.RunAsync(service.BaseAddress, clients: 32, "/ping", TimeSpan.FromSeconds(60), counters: counters);
        // Every client busy, however slowly this machine starts them: a fixed wait once signalled while the first
        // requests were still in flight, and the race was never run.
        await counters.WhenOkAtLeastAsync(32 * 5).WaitAsync(TimeSpan.FromSeconds(30));

        service.Signal(Signals.SIGTERM);
        var result = await load;

        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(result.Ok > 100, $"the load ran: {result}");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.NonSuccess);
    }

    [Fact]
    public async Task ResponseStartedBeforeTheDrain_WentOutKeepAlive_SoTheConnectionStaysForTheNextRequest()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(a =>
        {
            a.MapGet("/ping", () => "pong");
            a.MapGet("/started", async (HttpContext context) =>
            {
                // Headers (keep-alive) and a first chunk reach the client before the drain starts; the handler returns after.
                await context.Response.WriteAsync("started ", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                flushed.SetResult();
                await release.Task;
            });
        });
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress, TestContext.Current.CancellationToken);
        await connection.SendGetAsync("/started");
        await flushed.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var drain = app.Shutdown.ShutdownAsync(TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => app.Logs.Events("ClosedIdle").Count > 0, TimeSpan.FromSeconds(20));
        release.SetResult();
        var first = await connection.ReadResponseAsync(TestContext.Current.CancellationToken);
        // The client was told keep-alive, so it may send again at once: that request must be answered, not reset.
        await connection.SendGetAsync("/ping");
        var next = await connection.ReadResponseAsync(TestContext.Current.CancellationToken);

        Assert.False(first.ConnectionClose);
        Assert.Equal((200, "pong", true), (next.StatusCode, next.Body, next.ConnectionClose));
        Assert.True((await drain.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken)).Completed);
    }
}
