using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore;

namespace SlowService;

/// <summary>Long-lived streams that end well when the service drains: server-sent events and a WebSocket echo.</summary>
internal static class StreamEndpoints
{
    /// <summary>One event a second, numbered; the drain ends the stream (see <see cref="ServerSentEventsExtensions.UntilDraining{T}(IAsyncEnumerable{T}, HttpContext)"/>).</summary>
    public static async IAsyncEnumerable<string> TicksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var tick = 1; ; tick++)
        {
            yield return tick.ToString(CultureInfo.InvariantCulture);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>Echoes every message; closed with 1001 (Going Away) when the drain starts.</summary>
    public static async Task EchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var accepted = await context.WebSockets.AcceptWebSocketAsync();
        await using var socket = new GracefulWebSocket(accepted, context.RequestServices.GetRequiredService<IShutdownTokens>());
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
        }
    }
}
