using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Graceful.Tests.HotPath;

/// <summary>
/// What Graceful's request tracking allocates while nothing is stopping: nothing (issue 17's budget). Bytes allocated
/// on the calling thread are a count, not a time, so this holds on any machine. A request's record is made only once a
/// shutdown asks for it; the second test shows that it then is, so the first cannot pass by tracking nothing.
/// </summary>
public class RequestTrackingAllocationTests
{
    private static readonly RequestDelegate Endpoint = _ => Task.CompletedTask;

    [Fact]
    public void KeepAliveRequests_WhileNothingStops_AllocateNothing()
    {
        var (track, context, _, _) = TrackedRequestPath();
        for (var i = 0; i < 100; i++)
        {
            track(context);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            track(context);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task ARequestInFlight_WhenAShutdownAsks_IsRecordedOnce_AndEndedWhenItEnds()
    {
        var held = new TaskCompletionSource();
        var (track, context, tracker, _) = TrackedRequestPath(_ => held.Task);
        context.Request.Path = "/held";

        var running = track(context);
        var first = Assert.Single(tracker.InFlightRequests());
        var again = Assert.Single(tracker.InFlightRequests());
        held.SetResult();
        await running;

        Assert.Same(first, again);
        Assert.Equal(("GET", "/held"), (first.Method, first.Path));
        Assert.NotNull(first.EndedAt);
        Assert.Empty(tracker.InFlightRequests());
    }

    private static (RequestDelegate Track, DefaultHttpContext Context, ConnectionTracker Tracker, RequestJournal Journal) TrackedRequestPath(
        RequestDelegate? endpoint = null)
    {
        var time = TimeProvider.System;
        var tokens = new ShutdownTokens(time);
        var tracker = new ConnectionTracker(tokens, time);
        var journal = new RequestJournal();
        // As on Kestrel, a request finds its tracked connection as the connection's items feature.
        var connection = (TrackedConnection)tracker.Track(new DefaultConnectionContext("hot-path"));
        var context = new DefaultHttpContext();
        context.Features.Set<IConnectionItemsFeature>(connection);
        context.Request.Method = "GET";
        context.Request.Path = "/ping";
        context.Request.Protocol = "HTTP/1.1";
        var track = RequestTrackingMiddleware.Create(endpoint ?? Endpoint, tracker, tokens, journal, new TrafficWatch(time),
            rejectDuringDrainRetryAfter: null, Http2GoAwayGrace.Default, time);
        return (track, context, tracker, journal);
    }
}
