using Graceful.AspNetCore;
using Graceful.AspNetCore.Transport.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// Which HTTP/1.1 requests watch their response start for the drain (TrackedConnection.WatchesResponseStart): a
/// connection whose latest requests (TrackedConnection.SynchronousRunToSkipWatch of them) all completed synchronously
/// skips it, and gives up <c>Connection: close</c> on a response that starts after the drain began only for a request
/// that went asynchronous after such a run and was in flight then. Nothing is lost either way.
/// </summary>
public class ResponseStartWatchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SlowRequestAfterARunOfSynchronousOnes_InFlightAtTheDrain_AnswersKeepAlive_AndTheNextRequestIsAnsweredWithClose(
        bool asynchronousBeforeTheRun)
    {
        await using var app = await StartAsync(out var slow);
        using var connection = asynchronousBeforeTheRun
            ? await AfterAnAsynchronousRequestAsync(app, TrackedConnection.SynchronousRunToSkipWatch)
            : await ConnectAfterASynchronousRunAsync(app);

        var (response, drain) = await InFlightAtTheDrainAsync(app, connection, slow, "/slow");
        // Told keep-alive, the client may send again at once: answered, and told to close.
        await connection.SendGetAsync("/ping");
        var next = await connection.ReadResponseAsync(TestContext.Current.CancellationToken);

        Assert.Equal((200, "done", false), (response.StatusCode, response.Body, response.ConnectionClose));
        Assert.Equal((200, "pong", true), (next.StatusCode, next.Body, next.ConnectionClose));
        await ClosedAndDrainedAsync(connection, drain);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(TrackedConnection.SynchronousRunToSkipWatch - 1)]
    public async Task RequestAfterAnAsynchronousOne_AndFewerThanARunOfSynchronousOnes_InFlightAtTheDrain_GetsConnectionClose(int pings)
    {
        await using var app = await StartAsync(out var slow);
        using var connection = await AfterAnAsynchronousRequestAsync(app, pings);

        var (response, drain) = await InFlightAtTheDrainAsync(app, connection, slow, "/slow");

        Assert.Equal((200, "done", true), (response.StatusCode, response.Body, response.ConnectionClose));
        await ClosedAndDrainedAsync(connection, drain);
    }

    [Fact]
    public async Task SlowRequestAfterSynchronousOnes_ReturningWithoutABody_GetsConnectionClose()
    {
        await using var app = await StartAsync(out var slow);
        using var connection = await ConnectAfterASynchronousRunAsync(app);

        // Its response is produced after the handler returns, by which time the request has seen the drain.
        var (response, drain) = await InFlightAtTheDrainAsync(app, connection, slow, "/slow-empty");

        Assert.Equal((204, true), (response.StatusCode, response.ConnectionClose));
        await ClosedAndDrainedAsync(connection, drain);
    }

    private sealed class SlowHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static Task<TestApp> StartAsync(out SlowHandler slow)
    {
        var handler = slow = new SlowHandler();
        return TestApp.StartAsync(a =>
        {
            a.MapGet("/ping", () => "pong");
            // Still running when the middleware looks (`next` has returned): Task.Yield's continuation could finish the
            // response on another thread first, and the request would count as synchronous (seen once in CI).
            a.MapGet("/async", async () =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50));
                return "async";
            });
            a.MapGet("/slow", async () =>
            {
                handler.Started.TrySetResult();
                await handler.Release.Task;
                return "done";
            });
            a.MapGet("/slow-empty", async (HttpContext context) =>
            {
                handler.Started.TrySetResult();
                await handler.Release.Task;
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            });
        });
    }

    // The server closes the connection, and the drain completes: nothing was left waiting.
    private static async Task ClosedAndDrainedAsync(RawHttpConnection connection, Task<DrainResult> drain)
    {
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(20)));
        Assert.True((await drain.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken)).Completed);
    }

    // A keep-alive connection whose requests so far (GET /ping, as many as skip the watch) completed synchronously.
    private static async Task<RawHttpConnection> ConnectAfterASynchronousRunAsync(TestApp app)
    {
        var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress, TestContext.Current.CancellationToken);
        for (var i = 0; i < TrackedConnection.SynchronousRunToSkipWatch; i++)
        {
            await PingAsync(connection);
        }

        return connection;
    }

    // A connection after a full synchronous run, then one request that went asynchronous, then pings synchronous ones.
    private static async Task<RawHttpConnection> AfterAnAsynchronousRequestAsync(TestApp app, int pings)
    {
        var connection = await ConnectAfterASynchronousRunAsync(app);
        await connection.SendGetAsync("/async");
        Assert.Equal(200, (await connection.ReadResponseAsync(TestContext.Current.CancellationToken)).StatusCode);
        for (var i = 0; i < pings; i++)
        {
            await PingAsync(connection);
        }

        return connection;
    }

    private static async Task PingAsync(RawHttpConnection connection)
    {
        await connection.SendGetAsync("/ping");
        var response = await connection.ReadResponseAsync(TestContext.Current.CancellationToken);
        Assert.Equal((200, false), (response.StatusCode, response.ConnectionClose));
    }

    // Sends path, starts the drain while its handler waits, then lets the handler finish: its response, and the drain.
    private static async Task<(RawHttpResponse Response, Task<DrainResult> Drain)> InFlightAtTheDrainAsync(
        TestApp app, RawHttpConnection connection, SlowHandler slow, string path)
    {
        await connection.SendGetAsync(path);
        await slow.Started.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var drain = app.Shutdown.ShutdownAsync(TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => app.Logs.Events("ClosedIdle").Count > 0, TimeSpan.FromSeconds(20));
        slow.Release.SetResult();
        return (await connection.ReadResponseAsync(TestContext.Current.CancellationToken), drain);
    }
}
