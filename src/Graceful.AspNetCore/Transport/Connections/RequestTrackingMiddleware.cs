using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>Records each request on its connection while the application handles it, so the drain can tell busy from idle.</summary>
internal static class RequestTrackingMiddleware
{
    public static RequestDelegate Create(RequestDelegate next, ConnectionTracker tracker, ShutdownTokens tokens, RequestJournal journal,
        TrafficWatch traffic, TimeSpan? rejectDuringDrainRetryAfter, TimeProvider time) => context =>
    {
        if (traffic.IsWatching)
        {
            traffic.OnRequest(context);
        }

        if (rejectDuringDrainRetryAfter is { } retryAfter && tokens.Draining.IsCancellationRequested)
        {
            return RejectAsync(context, retryAfter);
        }

        if (context.Features.Get<IConnectionItemsFeature>() is not TrackedConnection connection)
        {
            // Not a connection Graceful accepted (another server or transport): the feature is set per request.
            context.Features.Set<IShutdownTokens>(tokens);
            return next(context);
        }

        return TrackAsync(next, context, connection, tracker, journal, time);
    };

    // The instance is past the point of no return: tell the client to retry elsewhere rather than start work here.
    private static Task RejectAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.Connection = "close";
        return Task.CompletedTask;
    }

    private static Task TrackAsync(RequestDelegate next, HttpContext context, TrackedConnection connection, ConnectionTracker tracker,
        RequestJournal journal, TimeProvider time)
    {
        var request = new InFlightRequest(context.Request.Method, context.Request.Path.Value ?? "/", connection.ConnectionId, time.GetTimestamp());
        var isHttp2 = HttpProtocol.IsHttp2(context.Request.Protocol);
        if (!connection.RequestStarted(request, isHttp2))
        {
            // The drain closed this connection as the request completed, too late: its client saw the close, so the
            // request must not run (the client may retry it safely).
            context.Abort();
            return Task.CompletedTask;
        }

        if (!isHttp2)
        {
            // Kestrel keeps the callback list per connection: no allocation per request.
            context.Response.OnStarting(TrackedConnection.OnResponseStarting, connection);
        }

        if (journal.IsRecording)
        {
            journal.Add(request);
        }

        if (isHttp2 && tracker.ClosesAfterResponses)
        {
            // An HTTP/2 connection the drain could not tell from HTTP/1.1 (no request yet): GOAWAY now. HTTP/1.1
            // requests arriving during the drain get Connection: close from OnResponseStarting.
            connection.RequestClose();
        }

        Task handled;
        try
        {
            handled = next(context);
        }
        catch
        {
            End(context, connection, request, time);
            throw;
        }

        // Most requests finish synchronously from here; only the others pay for an async state machine.
        if (handled.IsCompleted)
        {
            End(context, connection, request, time);
            return handled;
        }

        return EndWhenHandledAsync(handled, context, connection, request, time);
    }

    private static async Task EndWhenHandledAsync(Task handled, HttpContext context, TrackedConnection connection, InFlightRequest request, TimeProvider time)
    {
        try
        {
            await handled;
        }
        finally
        {
            End(context, connection, request, time);
        }
    }

    private static void End(HttpContext context, TrackedConnection connection, InFlightRequest request, TimeProvider time)
    {
        var ended = time.GetTimestamp();
        request.End(ended);
        connection.RequestEnded(request, ended, context.Response);
    }
}
