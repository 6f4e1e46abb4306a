using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Graceful.Tests.Connections;

/// <summary>
/// <see cref="ConnectionAging"/> on a fake clock: when each connection retires, what retiring does to an idle, a recently
/// used, a busy and an upgraded connection, the jitter, the grace cut, and the drain taking over.
/// </summary>
public sealed class ConnectionAgeTests
{
    private static readonly TimeSpan Age = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IdleGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly ConnectionTracker _tracker;

    public ConnectionAgeTests() => _tracker = new ConnectionTracker(new ShutdownTokens(_time), _time);

    [Fact]
    public void AnIdleConnection_IsAskedToClose_AtItsAge_NotBefore()
    {
        AgeConnections(jitter: TimeSpan.Zero);
        var (connection, closes) = Accept();
        Serve(connection, ResponseStarts(connection));

        Advance(Age - Step);
        Assert.Equal(0, closes.Count);

        Advance(Step * 2);
        Assert.Equal(1, closes.Count);
        Assert.Equal(1, _tracker.Aging!.RetiredCount);

        Advance(Age * 3);
        Assert.Equal(1, closes.Count); // asked once
    }

    [Fact]
    public void AConnectionWithNoRequestYet_IsNotClosedUnderItsFirst_WhichSaysClose()
    {
        AgeConnections(jitter: TimeSpan.Zero);
        var (connection, closes) = Accept();

        Advance(Age * 2);
        Assert.Equal(0, closes.Count);

        ResponseStarts(connection);
        Assert.Equal(1, closes.Count);
    }

    [Fact]
    public void AConnectionUsedWithinTheIdleGrace_IsKept_ItsNextResponseSaysClose_OrItClosesOnceIdleForTheGrace()
    {
        AgeConnections(jitter: TimeSpan.Zero);
        var (connection, closes) = Accept();
        Advance(Age - IdleGrace / 2);
        Serve(connection, ResponseStarts(connection));

        Advance(IdleGrace / 2 + Step);
        Assert.Equal(0, closes.Count); // retiring, but its client may be sending: it waits

        // Its next response starts: Connection: close, decided on the request's own thread.
        var context = Start(connection);
        Assert.Equal(0, closes.Count);
        TrackedConnection.OnResponseStarting(connection);
        Assert.Equal(1, closes.Count);
        connection.RequestEnded(context, null, _time.GetTimestamp());
    }

    [Fact]
    public void ARetiringConnectionNotUsedAgain_ClosesOnceIdleForTheGrace()
    {
        AgeConnections(jitter: TimeSpan.Zero);
        var (connection, closes) = Accept();
        Advance(Age - IdleGrace / 2);
        Serve(connection, ResponseStarts(connection));

        Advance(IdleGrace - Step * 2);
        Assert.Equal(0, closes.Count);
        Advance(Step * 4);
        Assert.Equal(1, closes.Count);
    }

    [Fact]
    public void ABusyConnection_IsNotClosedUnderItsRequest_ButAfterItOnceIdle()
    {
        AgeConnections(jitter: TimeSpan.Zero);
        var (connection, closes) = Accept();
        Advance(Age - Step);
        // Its response went out keep-alive before the age: it cannot say close any more.
        var context = Start(connection);
        TrackedConnection.OnResponseStarting(connection);

        Advance(Age);
        Assert.Equal(0, closes.Count);

        connection.RequestEnded(context, null, _time.GetTimestamp());
        Advance(IdleGrace + TimeSpan.FromSeconds(1));
        Assert.Equal(1, closes.Count);
    }

    [Fact]
    public void AnHttp2Connection_UsedWithinTheGrace_WaitsForItsNextStream_ButOneWithOnlyALongStreamIsAskedOnceQuiet()
    {
        AgeConnections(jitter: TimeSpan.Zero);
        var (connection, closes) = Accept();
        Advance(Age - IdleGrace / 2);
        Start(connection, "HTTP/2"); // a long stream: the next stream would ask from inside it, but none comes

        Advance(IdleGrace / 2 + Step);
        Assert.Equal(0, closes.Count);

        Advance(IdleGrace / 2);
        Assert.Equal(1, closes.Count); // GOAWAY while the long stream keeps Kestrel's first one standing
        Assert.Equal((0, 0), (_tracker.Http2ClosedServing, _tracker.Http2ClosedIdle)); // not a shutdown's close: the report does not count it
    }

    [Fact]
    public void Jitter_SpreadsTheRetirements_OverAgePlusOrMinusTheJitter()
    {
        var jitter = TimeSpan.FromSeconds(2);
        AgeConnections(jitter);
        var connections = Enumerable.Range(0, 200).Select(_ => Accept()).Select(a =>
        {
            Serve(a.Connection, ResponseStarts(a.Connection));
            return a.Closes;
        }).ToList();
        var retiredAt = new TimeSpan?[connections.Count];
        var start = _time.GetUtcNow();

        for (var elapsed = TimeSpan.Zero; elapsed <= Age + jitter + TimeSpan.FromSeconds(1); elapsed += TimeSpan.FromMilliseconds(100))
        {
            Advance(TimeSpan.FromMilliseconds(100));
            for (var i = 0; i < connections.Count; i++)
            {
                retiredAt[i] ??= connections[i].Count > 0 ? _time.GetUtcNow() - start : null;
            }
        }

        Assert.All(retiredAt, at => Assert.NotNull(at));
        var times = retiredAt.Select(at => at!.Value).ToList();
        Assert.True(times.Min() >= Age - jitter, $"first retired at {times.Min()}");
        Assert.True(times.Max() <= Age + jitter + TimeSpan.FromMilliseconds(200), $"last retired at {times.Max()}");
        // 200 draws over 4 s: without jitter they would all land in one 100 ms step.
        Assert.True(times.Max() - times.Min() >= TimeSpan.FromSeconds(3), $"spread {times.Min()}..{times.Max()}");
        Assert.True(times.Distinct().Count() >= 20, $"{times.Distinct().Count()} distinct moments");
    }

    [Fact]
    public void AtTheGrace_ABusyConnectionIsCut_AnUpgradedOneIsNot()
    {
        AgeConnections(jitter: TimeSpan.Zero, grace: TimeSpan.FromSeconds(5));
        var (busy, _) = Accept();
        var (upgraded, _) = Accept();
        Start(busy);
        var webSocket = Start(upgraded);
        webSocket.Response.StatusCode = StatusCodes.Status101SwitchingProtocols;

        Advance(Age + TimeSpan.FromSeconds(4));
        Assert.Equal(0, _tracker.Aging!.CutCount);

        Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, _tracker.Aging.CutCount);
        Assert.True(busy.ConnectionClosed.WaitHandle.WaitOne(TimeSpan.FromSeconds(10)));
        Assert.False(upgraded.ConnectionClosed.IsCancellationRequested);
    }

    [Fact]
    public void OnceAShutdownBegins_TheDrainTakesOver_AgingDoesNothingMore()
    {
        AgeConnections(jitter: TimeSpan.Zero);
        var (_, closes) = Accept();
        Advance(Age / 2);

        _tracker.InFlightRequests(); // what a shutdown asks first

        Advance(Age * 2);
        Assert.Equal(0, closes.Count);
        Assert.Equal(0, _tracker.Aging!.RetiredCount);
    }

    [Fact]
    public void RequestsOnARetiringConnection_AllocateNothing()
    {
        AgeConnections(TimeSpan.Zero);
        var (connection, closes) = Accept();
        var context = Start(connection);
        Advance(Age + Step);
        Serve(connection, context);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(connection.RequestStarted(context, _time.GetTimestamp(), out _));
            TrackedConnection.OnResponseStarting(connection);
            connection.RequestEnded(context, null, _time.GetTimestamp());
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, closes.Count); // each response asked for the close: the path ran
    }

    [Fact]
    public void WithoutMaxConnectionAge_NothingAges() =>
        Assert.Null(_tracker.Aging);

    private void AgeConnections(TimeSpan jitter, TimeSpan? grace = null) =>
        _tracker.AgeConnections(Age, jitter, grace ?? Timeout.InfiniteTimeSpan, IdleGrace, NullLogger.Instance);

    private (TrackedConnection Connection, CloseRequests Closes) Accept()
    {
        var inner = new DefaultConnectionContext($"c{_tracker.OpenCount}");
        var closes = new CloseRequests();
        inner.Features.Set<IConnectionLifetimeNotificationFeature>(closes);
        return ((TrackedConnection)_tracker.Track(inner), closes);
    }

    private DefaultHttpContext Start(TrackedConnection connection, string protocol = "HTTP/1.1")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/";
        context.Request.Protocol = protocol;
        Assert.True(connection.RequestStarted(context, _time.GetTimestamp(), out _));
        return context;
    }

    private DefaultHttpContext ResponseStarts(TrackedConnection connection)
    {
        var context = Start(connection);
        TrackedConnection.OnResponseStarting(connection);
        return context;
    }

    private void Serve(TrackedConnection connection, HttpContext context) =>
        connection.RequestEnded(context, null, _time.GetTimestamp());

    // In small steps, as a real clock passes: each timer fires at its own moment.
    private void Advance(TimeSpan by)
    {
        for (var left = by; left > TimeSpan.Zero; left -= Step)
        {
            _time.Advance(left < Step ? left : Step);
        }
    }

    /// <summary>Counts what Kestrel would be asked: close this connection.</summary>
    private sealed class CloseRequests : IConnectionLifetimeNotificationFeature
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public CancellationToken ConnectionClosedRequested { get; set; }

        public void RequestClose() => Interlocked.Increment(ref _count);
    }
}
