using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore;

/// <summary>
/// A WebSocket echo and a server-sent-event stream, written as an app would without Graceful. With --graceful the
/// same handlers use Graceful's stream helpers (found as <see cref="IShutdownTokens"/>), which end them when the
/// drain starts; without it they run until the host's stop timeout cuts them. With --close-on-stopping (and without
/// --graceful), the echo closes its WebSocket with 1001 itself when the host's ApplicationStopping fires, as an app
/// written carefully without Graceful would: what ASP.NET Core alone needs to close them (bench/Drain websockets).
/// </summary>
internal static class StreamRoutes
{
    // One event at once (the client knows the stream is open), then one per interval: a heartbeat, not a load.
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(10);

    public static void MapStreamRoutes(this WebApplication app, bool closeOnStopping)
    {
        app.UseWebSockets();
        app.Map("/ws", (HttpContext context) => EchoAsync(context, closeOnStopping));
        app.MapGet("/events", (HttpContext context) =>
        {
            var ticks = TicksAsync(context.RequestAborted);
            return TypedResults.ServerSentEvents(context.RequestServices.GetService<IShutdownTokens>() is null ? ticks : ticks.UntilDraining(context), eventType: "tick");
        });
    }

    private static async IAsyncEnumerable<string> TicksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var tick = 1; ; tick++)
        {
            yield return tick.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Task.Delay(TickInterval, cancellationToken);
        }
    }

    private static async Task EchoAsync(HttpContext context, bool closeOnStopping)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var accepted = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[1024];
        if (context.RequestServices.GetService<IShutdownTokens>() is not { } shutdown)
        {
            var stopping = closeOnStopping ? context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping : default;
            using var closeOnStop = stopping.Register(static state => _ = ((WebSocket)state!).CloseOutputAsync(
                WebSocketCloseStatus.EndpointUnavailable, "Server shutting down", CancellationToken.None), accepted);
            while (await accepted.ReceiveAsync(buffer.AsMemory(), context.RequestAborted) is { MessageType: not WebSocketMessageType.Close } received)
            {
                await accepted.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }

            if (accepted.State == WebSocketState.CloseReceived)
            {
                await accepted.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
            }

            return;
        }

        await using var socket = new GracefulWebSocket(accepted, shutdown);
        while (await socket.ReceiveAsync(buffer, context.RequestAborted) is { MessageType: not WebSocketMessageType.Close } received)
        {
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
        }
    }
}
