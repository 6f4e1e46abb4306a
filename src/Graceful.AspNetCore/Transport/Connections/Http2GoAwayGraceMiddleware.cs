using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>
/// With <see cref="GracefulOptions.Http2GoAwayGrace"/>: a stream of an HTTP/2 connection the drain asked to close ends
/// no earlier than the grace after it asked. Kestrel sends its final GOAWAY as soon as no stream is open, with no round
/// trip after the first (2^31-1); a stream kept open until then keeps the first standing, so streams the client opened
/// while it was on its way arrive and are served. Only the stream's end waits: its response has been written. A
/// connection retiring for its age (<see cref="ConnectionAging"/>) is held the same way.
/// </summary>
internal static class Http2GoAwayGraceMiddleware
{
    public static RequestDelegate Create(RequestDelegate next, ConnectionTracker tracker, TimeSpan grace) => context =>
    {
        var handled = next(context);
        // With MaxConnectionAge, a stream of a retiring connection is held as during the drain (one feature lookup).
        if (handled.IsCompletedSuccessfully && !tracker.IsClosing && (tracker.Aging is null || !IsRetiring(context)))
        {
            return handled;
        }

        return HoldAsync(handled, context, tracker, grace);
    };

    private static bool IsRetiring(HttpContext context) =>
        context.Features[typeof(IConnectionItemsFeature)] is TrackedConnection { RetiringSince: not 0 };

    private static async Task HoldAsync(Task handled, HttpContext context, ConnectionTracker tracker, TimeSpan grace)
    {
        await handled;
        if (context.Features.Get<IConnectionItemsFeature>() is not TrackedConnection { IsHttp2: true } connection
            || !tracker.IsClosing && connection.RetiringSince == 0 || connection.CloseAskedAt is var askedAt && askedAt == 0)
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
