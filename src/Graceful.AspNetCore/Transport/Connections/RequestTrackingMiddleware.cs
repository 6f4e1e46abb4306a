using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>Records each request on its connection while the application handles it, so the drain can tell busy from idle.</summary>
internal static class RequestTrackingMiddleware
{
    public static RequestDelegate Create(RequestDelegate next, ConnectionTracker tracker, ShutdownTokens tokens, RequestJournal journal,
        TrafficWatch traffic, TimeSpan? rejectDuringDrainRetryAfter, TimeSpan http2GoAwayGrace, TimeProvider time) => context =>
    {
        if (traffic.IsWatching)
        {
            traffic.OnRequest(context);
        }

        if (rejectDuringDrainRetryAfter is { } retryAfter && tokens.Draining.IsCancellationRequested)
        {
            return RejectAsync(context, retryAfter);
        }

        // The indexer, not Get<T>: a generic virtual call costs a runtime lookup per request, and Kestrel's request
        // features find the connection's through the same chain either way.
        if (context.Features[typeof(IConnectionItemsFeature)] is not TrackedConnection connection)
        {
            // Not a connection Graceful accepted (another server or transport): the feature is set per request.
            context.Features.Set<IShutdownTokens>(tokens);
            return next(context);
        }

        return TrackAsync(next, context, connection, tracker, journal, time, http2GoAwayGrace);
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
        RequestJournal journal, TimeProvider time, TimeSpan http2GoAwayGrace)
    {
        if (!connection.RequestStarted(context, time.GetTimestamp(), out var record))
        {
            // The drain closed this connection as the request completed, too late: its client saw the close, so the
            // request must not run (the client may retry it safely).
            context.Abort();
            return Task.CompletedTask;
        }

        if (record is not null && journal.IsRecording)
        {
            journal.Add(record);
        }

        if (!connection.IsHttp2)
        {
            if (connection.WatchesResponseStart)
            {
                // Kestrel keeps the callback list per connection: no allocation per request.
                context.Response.OnStarting(TrackedConnection.OnResponseStarting, connection);
            }
        }
        else if (connection.ClosesAfterResponse)
        {
            // An HTTP/2 connection the drain could not tell from HTTP/1.1 (no request yet), or one retiring for its age:
            // GOAWAY now, from inside a stream. HTTP/1.1 requests arriving during the drain get Connection: close from
            // OnResponseStarting.
            connection.RequestClose();
        }

        Task handled;
        try
        {
            handled = next(context);
        }
        catch
        {
            connection.RequestEnded(context, record, time.GetTimestamp());
            throw;
        }

        // Most requests finish synchronously from here; only the others pay for an async state machine, and so do the
        // last streams of a closing HTTP/2 connection, whose ends wait for the GOAWAY grace.
        if (handled.IsCompleted && !(connection.IsHttp2 && Http2GoAwayGrace.Holds(connection, http2GoAwayGrace)))
        {
            connection.CompletedSynchronously();
            connection.RequestEnded(context, record, time.GetTimestamp());
            return handled;
        }

        connection.WentAsynchronous();
        return EndWhenHandledAsync(handled, context, connection, tracker, record, time, http2GoAwayGrace);
    }

    private static async Task EndWhenHandledAsync(Task handled, HttpContext context, TrackedConnection connection, ConnectionTracker tracker,
        InFlightRequest? record, TimeProvider time, TimeSpan http2GoAwayGrace)
    {
        try
        {
            await handled;
            if (connection.IsHttp2)
            {
                await Http2GoAwayGrace.HoldAsync(connection, tracker, http2GoAwayGrace, context.RequestAborted);
            }
        }
        finally
        {
            connection.RequestEnded(context, record, time.GetTimestamp());
        }
    }
}
