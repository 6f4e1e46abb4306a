using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>
/// With <see cref="GracefulOptions.Http2GoAwayGrace"/>: a stream of an HTTP/2 connection the drain asked to close ends
/// no earlier than the grace after it asked. Kestrel sends its final GOAWAY as soon as no stream is open, with no round
/// trip after the first (2^31-1); a stream kept open until then keeps the first standing, so streams the client opened
/// while it was on its way arrive and are served. Only the stream's end waits: its response has been written.
/// </summary>
internal static class Http2GoAwayGraceMiddleware
{
    public static RequestDelegate Create(RequestDelegate next, ConnectionTracker tracker, TimeSpan grace) => context =>
    {
        var handled = next(context);
        if (handled.IsCompletedSuccessfully && !tracker.IsClosing)
        {
            return handled;
        }

        return HoldAsync(handled, context, tracker, grace);
    };

    private static async Task HoldAsync(Task handled, HttpContext context, ConnectionTracker tracker, TimeSpan grace)
    {
        await handled;
        if (!tracker.IsClosing || context.Features.Get<IConnectionItemsFeature>() is not TrackedConnection { IsHttp2: true } connection
            || connection.CloseAskedAt is var askedAt && askedAt == 0)
        {
            return;
        }

        var left = grace - tracker.Time.GetElapsedTime(askedAt);
        if (left > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(left, tracker.Time, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The drain deadline aborted the connection: nothing left to keep standing.
            }
        }
    }
}
