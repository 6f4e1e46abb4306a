using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore.Platform;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Graceful.AspNetCore.Transport.Connections;

// AggressiveOptimization: methods a stop runs once per connection, thousands at once (docs/design.md, after the warm-up).
/// <summary>
/// A transport connection as Kestrel sees it, wrapped at accept so that no connection escapes the drain:
/// Kestrel disposes it when it is done with it, which is the moment the drain counts it closed.
/// </summary>
internal sealed class TrackedConnection : ConnectionContext, IConnectionItemsFeature
{
    private readonly ConnectionContext _inner;
    private readonly ConnectionTracker _tracker;
    // HTTP/1.1 serves one request at a time: it is held as the HttpContext Kestrel reuses for the connection and the
    // moment it started, with no allocation; the record the report needs (_currentRecord) is made from them only once a
    // shutdown asks (CopyRequestsTo). HTTP/2's concurrent streams are records in a locked list.
    private readonly Lock _gate = new();
    private HttpContext? _current;
    private long _currentStartedAt;
    private InFlightRequest? _currentRecord;
    private List<InFlightRequest>? _streams;
    private Protocol _protocol;
    private long _lastActivity;
    private ITimer? _idleClose;
    // Set under _gate once the drain closed this connection for not completing a request in time; a request
    // Kestrel parsed just then is not run (its client saw the connection close and may retry it safely).
    private bool _closedWithoutRequest;
    private int _disposed;
    private long _closeAskedAt;
    // Kept from the first request, while the connection's objects are in the cache: the stop's walk asks every
    // connection to close through the first, and an idle HTTP/1.1 connection ends at the second (TryEndAtSocket).
    // Looked up at the stop instead, on cold objects and through the transport's list of extra features, they cost
    // 10-13 ms more CPU per stop with 10,000 idle connections (docs/benchmarks.md, session 12). Null until the first
    // request; the socket stays null where a connection cannot end at it.
    private IConnectionLifetimeNotificationFeature? _lifetime;
    private Socket? _endSocket;
    // The tracker's accept count at this connection's accept: its hash code (see GetHashCode).
    private readonly int _acceptOrder;
    // When the drain closed this connection as idle (CloseIdle), as a timestamp; 0 if it did not.
    private long _closedIdleAt;
    // When this connection was asked to close (CloseGracefully), as a timestamp; 0 while it is not on its way out.
    private long _closingSince;
    // Retiring (Retire): since when, as a timestamp, or 0; whether Kestrel was asked to close it; when ConnectionAging
    // next looks at it (0: never).
    private long _retiringSince;
    private int _retireAsked;
    private long _ageCheckAt;
    // How many of this HTTP/1.1 connection's latest requests in a row completed synchronously, up to
    // SynchronousRunToSkipWatch: whether its next one watches its response start (WatchesResponseStart). Written and
    // read by its requests only, which Kestrel runs one after another.
    private byte _synchronousRun;

    private enum Protocol : byte
    {
        Unknown,
        Http1,
        Http2,
    }

    public TrackedConnection(ConnectionContext inner, ConnectionTracker tracker, long acceptedAt, int acceptOrder)
    {
        _inner = inner;
        _tracker = tracker;
        _lastActivity = acceptedAt;
        _acceptOrder = acceptOrder;
        // Requests find their connection as the connection's items feature (Kestrel's request features fall back to
        // the connection's): one feature lookup per request, no dictionary. The items themselves stay the transport's.
        inner.Features.Set<IConnectionItemsFeature>(this);
    }

    /// <summary>
    /// The accept order, so that the tracker's dictionary, whose buckets follow the hash, walks connections in the order
    /// they were accepted: the order their objects, and their sockets' kernel structures, were allocated in. A stop's
    /// walks and closes then touch memory in sequence; in the default hash's random order, a stop with 10,000 idle
    /// connections took 23-44 ms more CPU, most of it in the kernel's socket closes (docs/benchmarks.md, session 11).
    /// Equality stays the reference's.
    /// </summary>
    public override int GetHashCode() => _acceptOrder;

    /// <summary>When a request last started or ended here (or the connection was accepted), as a timestamp.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>When an HTTP/2 connection was first asked to close (a timestamp), or 0.</summary>
    public long CloseAskedAt => Volatile.Read(ref _closeAskedAt);

    /// <summary>True once <see cref="CloseGracefully"/> asked this connection to close: its responses say <c>Connection: close</c>.</summary>
    public bool IsClosing => Volatile.Read(ref _closingSince) != 0;

    /// <summary>When this connection began to retire (<see cref="Retire"/>), as a timestamp, or 0.</summary>
    public long RetiringSince => Volatile.Read(ref _retiringSince);

    /// <summary>When <see cref="ConnectionAging"/> next looks at this connection (a timestamp), or 0 for never.</summary>
    public long AgeCheckAt { get => Volatile.Read(ref _ageCheckAt); set => Volatile.Write(ref _ageCheckAt, value); }

    /// <summary>
    /// True when its request switched protocols (a WebSocket): Kestrel never serves another request on it, so it ends
    /// with its stream. Read from another thread, so only as a hint for what is not the request's own decision.
    /// </summary>
    public bool IsUpgraded => Volatile.Read(ref _current) is { } context && context.Response.StatusCode == StatusCodes.Status101SwitchingProtocols;

    /// <summary>True once a request on this connection was HTTP/2, which closes with GOAWAY rather than by idling out.</summary>
    public bool IsHttp2 => _protocol == Protocol.Http2;

    public override string ConnectionId { get => _inner.ConnectionId; set => _inner.ConnectionId = value; }

    public override IFeatureCollection Features => _inner.Features;

    public override IDictionary<object, object?> Items { get => _inner.Items; set => _inner.Items = value; }

    public override IDuplexPipe Transport { get => _inner.Transport; set => _inner.Transport = value; }

    public override EndPoint? LocalEndPoint { get => _inner.LocalEndPoint; set => _inner.LocalEndPoint = value; }

    public override EndPoint? RemoteEndPoint { get => _inner.RemoteEndPoint; set => _inner.RemoteEndPoint = value; }

    public override CancellationToken ConnectionClosed { get => _inner.ConnectionClosed; set => _inner.ConnectionClosed = value; }

    /// <summary>Requests this connection is serving now (HTTP/2 may serve several).</summary>
    public int InFlightCount
    {
        get
        {
            var count = Volatile.Read(ref _current) is null ? 0 : 1;
            if (Volatile.Read(ref _streams) is { } streams)
            {
                lock (_gate)
                {
                    count += streams.Count;
                }
            }

            return count;
        }
    }

    /// <summary>
    /// Records a request the application is about to run, started at <paramref name="now"/>; false if the drain has just
    /// closed the connection for want of one. <paramref name="record"/> is the request's record when one was made now
    /// (HTTP/2, or a shutdown is recording): the caller passes it back to <see cref="RequestEnded"/>.
    /// </summary>
    public bool RequestStarted(HttpContext context, long now, out InFlightRequest? record)
    {
        if (_protocol == Protocol.Unknown)
        {
            FirstRequest(context);
        }

        record = null;
        if (_protocol == Protocol.Http1 && _tracker.IsQuiet)
        {
            _currentStartedAt = now;
            Volatile.Write(ref _current, context);
            Volatile.Write(ref _lastActivity, now);
            return true;
        }

        // HTTP/2, or a shutdown under way: decided under the lock the request bound and the report take, so a request
        // either runs or its connection was closed before it, never both, and its record is made once.
        lock (_gate)
        {
            if (_closedWithoutRequest)
            {
                return false;
            }

            if (_protocol == Protocol.Http2)
            {
                record = RecordOf(context, now);
                (_streams ??= []).Add(record);
            }
            else
            {
                _currentStartedAt = now;
                _currentRecord = _tracker.IsRecording ? record = RecordOf(context, now) : null;
                Volatile.Write(ref _current, context);
            }

            Volatile.Write(ref _lastActivity, now);
            return true;
        }
    }

    // Kestrel serves one protocol per connection, so the first request tells it. Written before the request's
    // LastActivity (a release), which is what the stop reads first.
    private void FirstRequest(HttpContext context)
    {
        _protocol = HttpProtocol.IsHttp2(context.Request.Protocol) ? Protocol.Http2 : Protocol.Http1;
        _lifetime = LookUpLifetime();
        if (_protocol == Protocol.Http1)
        {
            _endSocket = SocketEnd.SocketOf(_inner);
        }
    }

    // The indexer, not Get<T> (a generic virtual call's runtime lookup).
    private IConnectionLifetimeNotificationFeature? LookUpLifetime() =>
        _inner.Features[typeof(IConnectionLifetimeNotificationFeature)] as IConnectionLifetimeNotificationFeature;

    private InFlightRequest RecordOf(HttpContext context, long startedAt) =>
        new(context.Request.Method, context.Request.Path.Value ?? "/", ConnectionId, startedAt);

    /// <summary>The request <paramref name="context"/> ended at <paramref name="now"/>; <paramref name="record"/> is what <see cref="RequestStarted"/> gave.</summary>
    public void RequestEnded(HttpContext context, InFlightRequest? record, long now)
    {
        if (_protocol == Protocol.Http2)
        {
            lock (_gate)
            {
                _streams?.Remove(record!);
            }

            record!.End(now);
        }
        else
        {
            // A full fence before reading the tracker's state: a shutdown that began recording either sees this slot
            // empty or is seen here, and then its record is ended under the lock it was made under.
            Interlocked.Exchange(ref _current, null);
            if (!_tracker.IsQuiet)
            {
                lock (_gate)
                {
                    _currentRecord?.End(now);
                    _currentRecord = null;
                }
            }
        }

        Volatile.Write(ref _lastActivity, now);
        if (_tracker.IsQuiet)
        {
            return;
        }

        if (_tracker.ClosesAfterResponse(this) && !IsHttp2)
        {
            CloseAfterResponse(context.Response);
        }

        if (_tracker.IsClosing)
        {
            _tracker.BoundRequestsIn(_tracker.RequestBound);
        }
    }

    /// <summary>
    /// Called by the drain's request bound (<see cref="ConnectionTracker"/>): closes this connection if it has gone
    /// <paramref name="bound"/> without a request since it was asked to close (<see cref="CloseGracefully"/>; or since
    /// its last request, if later). Kestrel's own close (<see cref="RequestClose"/>) ends only a connection that has sent nothing of its next
    /// request; one that trickles its headers would hold the exit until Kestrel's request-headers timeout.
    /// True if it closed the connection now; otherwise <paramref name="left"/> is how long until it is due, or zero
    /// when there is nothing to wait for (it is serving a request, whose end re-arms the bound, is closed, or has not
    /// been asked to close yet: a spread's close re-arms the bound).
    /// </summary>
    public bool CloseIfNoRequestWithin(TimeSpan bound, long now, out TimeSpan left)
    {
        left = TimeSpan.Zero;
        lock (_gate)
        {
            var closingSince = Volatile.Read(ref _closingSince);
            if (closingSince == 0 || InFlightCount > 0 || _closedWithoutRequest || Volatile.Read(ref _disposed) != 0)
            {
                return false;
            }

            var waited = _tracker.Time.GetElapsedTime(Math.Max(closingSince, LastActivity), now);
            if (waited < bound)
            {
                left = bound - waited;
                return false;
            }

            _closedWithoutRequest = true;
        }

        _inner.Abort(new ConnectionAbortedException("Graceful: no complete request within Graceful:DrainReadHeaderTimeout during the drain"));
        return true;
    }

    /// <summary>
    /// How many requests in a row must complete synchronously on an HTTP/1.1 connection before its requests stop
    /// registering <see cref="OnResponseStarting"/> (see <see cref="WatchesResponseStart"/>).
    /// </summary>
    internal const int SynchronousRunToSkipWatch = 16;

    /// <summary>
    /// Whether the HTTP/1.1 request starting now registers <see cref="OnResponseStarting"/>: while a shutdown is under
    /// way or the connection retires, and unless the connection's last <see cref="SynchronousRunToSkipWatch"/> requests
    /// all completed synchronously (so on its first ones, and again after one went asynchronous). The registration is
    /// most of what Graceful costs a request, and a request that completes synchronously gains nothing from it: the
    /// drain can begin only beside it, on another thread, which is the same as beginning just after its response started
    /// (<see cref="CloseAfterResponse"/>). What is given up: a request that goes asynchronous after such a run, and is in
    /// flight when the drain begins, answers keep-alive; its connection is then kept for the client's next request
    /// (answered with <c>Connection: close</c>) or until it has idled for the grace.
    /// </summary>
    public bool WatchesResponseStart =>
        _synchronousRun < SynchronousRunToSkipWatch || !_tracker.IsQuiet || Volatile.Read(ref _retiringSince) != 0;

    /// <summary>An HTTP/1.1 request completed within the middleware's synchronous call.</summary>
    public void CompletedSynchronously()
    {
        if (_synchronousRun < SynchronousRunToSkipWatch)
        {
            _synchronousRun++;
        }
    }

    /// <summary>A request went asynchronous: this connection's next requests watch their response start again.</summary>
    public void WentAsynchronous() => _synchronousRun = 0;

    /// <summary>
    /// Called as an HTTP/1.1 response's headers are produced, on the request's own thread: from the drain's start on,
    /// every response says <c>Connection: close</c> and its connection closes after it, as does a response on a retiring
    /// connection (<see cref="Retire"/>). Deciding here rather than when the drain starts (or the connection retires) is
    /// what makes it race-free: Kestrel cannot have sent keep-alive headers in between.
    /// </summary>
    public static Task OnResponseStarting(object state)
    {
        var connection = (TrackedConnection)state;
        if (connection.ClosesAfterResponse)
        {
            connection.RequestClose();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Whether a response (HTTP/2: a stream) starting here closes the connection: the drain says so for it
    /// (<see cref="ConnectionTracker.ClosesAfterResponse"/>), or it is retiring (<see cref="Retire"/>). A retiring
    /// connection's upgrade (101) is let through: the age does not apply to it.
    /// </summary>
    public bool ClosesAfterResponse =>
        _tracker.ClosesAfterResponse(this) || (Volatile.Read(ref _retiringSince) != 0 && !IsUpgraded);

    // On the request's own thread, once its handler has returned. A response not started yet is produced by Kestrel
    // after this, so asking Kestrel to close now makes it say Connection: close (as OnResponseStarting would, had the
    // request registered it). The drain began while this request ran, after its response had gone out keep-alive:
    // the client was told it may send again, so closing after this response would reset the request it may be writing
    // now. The connection stays for that request (answered with Connection: close) or until it has idled for the grace.
    // Not after an upgrade (a WebSocket): its connection serves nothing more and Kestrel closes it now, so no timer is
    // armed for it.
    private void CloseAfterResponse(HttpResponse response)
    {
        if (!response.HasStarted)
        {
            RequestClose();
        }
        else if (response.StatusCode != StatusCodes.Status101SwitchingProtocols
            && !response.Headers.Connection.ToString().Contains("close", StringComparison.OrdinalIgnoreCase))
        {
            CloseWhenIdleFor(_tracker.IdleGrace);
        }
    }

    /// <summary>
    /// Closes this one connection without losing a request, the way the drain closes each: HTTP/2 gets GOAWAY, so its
    /// open streams finish; HTTP/1.1 serving a request closes after its response, which says <c>Connection: close</c>
    /// unless it had already started (then the connection is kept for the client's next request); idle and used within
    /// <paramref name="idleGrace"/>, it is kept for the client's next request (answered with <c>Connection: close</c>) or
    /// until it has idled for the grace; idle for longer, it closes now. With <paramref name="keepsIdleHttp2"/>
    /// (<see cref="GracefulOptions.Http2GoAwayGrace"/>) an idle HTTP/2 connection is kept like an HTTP/1.1 one. From now
    /// on its responses say <c>Connection: close</c> (see <see cref="ConnectionTracker.ClosesAfterResponse"/>) and the
    /// drain's request bound counts from <paramref name="now"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public GracefulClose CloseGracefully(TimeSpan idleGrace, bool keepsIdleHttp2, long now)
    {
        // A full fence before reading whether it serves: a request ending now either sees the mark (RequestEnded) or is
        // seen here.
        Interlocked.CompareExchange(ref _closingSince, now, 0);
        var idleFor = _tracker.Time.GetElapsedTime(LastActivity, now);
        if (InFlightCount > 0)
        {
            if (IsHttp2)
            {
                RequestClose();
            }
            else
            {
                // Its request's end decides; this covers a request that ended just now, unseen here.
                CloseWhenIdleFor(idleGrace);
            }

            return GracefulClose.Busy;
        }

        if (IsHttp2 && (!keepsIdleHttp2 || idleFor >= idleGrace))
        {
            RequestClose();
            return GracefulClose.ClosedIdle;
        }

        if (idleFor >= idleGrace)
        {
            CloseIdle(now);
            return GracefulClose.ClosedIdle;
        }

        CloseWhenIdleFor(idleGrace);
        return GracefulClose.KeptForNextRequest;
    }

    /// <summary>
    /// Keeps the connection open until it has been idle for <paramref name="grace"/>, so a client about to send on it
    /// gets an answer (with <c>Connection: close</c>) instead of a reset; then closes it. Calling it again re-arms it.
    /// </summary>
    public void CloseWhenIdleFor(TimeSpan grace)
    {
        var timer = Volatile.Read(ref _idleClose);
        if (timer is null)
        {
            var created = _tracker.Time.CreateTimer(static state => ((TrackedConnection)state!).OnIdleTimer(), this,
                Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            timer = Interlocked.CompareExchange(ref _idleClose, created, null) ?? created;
            if (timer != created)
            {
                created.Dispose();
            }
        }

        var idleFor = _tracker.Time.GetElapsedTime(LastActivity);
        timer.Change(idleFor < grace ? grace - idleFor : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    // Busy: the request's end re-arms. Used again since the timer was set: wait out the rest of the grace.
    private void OnIdleTimer()
    {
        if (InFlightCount == 0)
        {
            var grace = _tracker.IdleGrace;
            if (_tracker.Time.GetElapsedTime(LastActivity) < grace)
            {
                CloseWhenIdleFor(grace);
            }
            else
            {
                CloseIdle(_tracker.Time.GetTimestamp());
            }
        }
    }

    /// <summary>Adds the requests in flight here to <paramref name="into"/>, making the record of an HTTP/1.1 request the first time it is asked for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyRequestsTo(List<InFlightRequest> into)
    {
        // Serving nothing (most connections, at a stop with many idle ones): no lock. A request starting now, unseen
        // here, is one that the lock too would have seen only had it started first.
        if (Volatile.Read(ref _current) is null && Volatile.Read(ref _streams) is null)
        {
            return;
        }

        lock (_gate)
        {
            // Read under the lock that RequestEnded takes once the tracker is not quiet: the context is the request's
            // until it has ended.
            if (Volatile.Read(ref _current) is { } context)
            {
                into.Add(_currentRecord ??= RecordOf(context, _currentStartedAt));
            }

            if (_streams is { } streams)
            {
                into.AddRange(streams);
            }
        }
    }

    /// <summary>
    /// Asks Kestrel to close the connection the way its own stop does: an idle HTTP/1.1 connection closes now,
    /// a busy one answers its current request with <c>Connection: close</c>, HTTP/2 sends GOAWAY.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RequestClose()
    {
        if (IsHttp2 && Volatile.Read(ref _closeAskedAt) == 0
            && Interlocked.CompareExchange(ref _closeAskedAt, _tracker.Time.GetTimestamp(), 0) == 0)
        {
            // Kestrel decides the GOAWAY's form when it handles the request, by whether a stream is open then. The report
            // counts a shutdown's closes, not a retiring connection's (ConnectionAging).
            if (!_tracker.IsQuiet)
            {
                _tracker.CountHttp2Close(serving: InFlightCount > 0);
            }
        }

        // A connection that has served no request has no feature kept yet.
        (_lifetime ?? LookUpLifetime())?.RequestClose();
    }

    /// <summary>
    /// Ends this connection without losing a request, outside the drain (its age, <see cref="ConnectionAging"/>), by the
    /// drain's rules: on HTTP/1.1 the next response to start says <c>Connection: close</c> (<see cref="OnResponseStarting"/>),
    /// on HTTP/2 the next stream to start asks for GOAWAY (<see cref="RequestTrackingMiddleware"/>); a connection not used
    /// for <paramref name="idleGrace"/> is asked to close at once (HTTP/1.1: unless a response that went out keep-alive
    /// is still running), so that no client is sending a request onto the close. An upgraded connection is left to end
    /// with its stream. Returns 0 when nothing is left to do, else when to call again (a timestamp):
    /// the connection is serving a request, or was used within the grace. Safe to call again and from any thread.
    /// </summary>
    public long Retire(long now, TimeSpan idleGrace)
    {
        Interlocked.CompareExchange(ref _retiringSince, now, 0);
        if (Volatile.Read(ref _retireAsked) != 0 || CloseAskedAt != 0 || Volatile.Read(ref _disposed) != 0 || IsUpgraded)
        {
            return 0;
        }

        // No request yet: its client has just connected and is sending its first, or never will (Kestrel's own timeouts
        // end it then). That first response (or stream) closes it; closing before could end it under the request.
        if (_protocol == Protocol.Unknown)
        {
            return 0;
        }

        // Used within the grace: its client may be sending now. Its next response (HTTP/1.1) or stream (HTTP/2, from
        // inside which the GOAWAY takes Kestrel's two steps) asks for the close on the request's own thread.
        var lastActivity = LastActivity;
        if (_tracker.Time.GetElapsedTime(lastActivity, now) < idleGrace)
        {
            return lastActivity + _tracker.Time.TicksOf(idleGrace);
        }

        // A long HTTP/1.1 request whose response went out keep-alive: look again once it may have ended. (An HTTP/2
        // connection with only a long stream open is asked now: that stream keeps Kestrel's first GOAWAY standing.)
        if (!IsHttp2 && InFlightCount > 0)
        {
            return now + _tracker.Time.TicksOf(idleGrace);
        }

        // Kestrel ends an HTTP/1.1 connection only if nothing of a next request has arrived (one that has is answered
        // with Connection: close), and an HTTP/2 one with GOAWAY.
        Volatile.Write(ref _retireAsked, 1);
        RequestClose();
        return 0;
    }

    /// <summary>
    /// Drain side, for a connection serving no request: asks Kestrel to close it (<see cref="RequestClose"/>) and marks
    /// it closed as idle at <paramref name="now"/>, so that once Kestrel is done with it, it may end at its socket (see
    /// <see cref="DisposeAsync"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CloseIdle(long now)
    {
        Volatile.Write(ref _closedIdleAt, now);
        RequestClose();
    }

    // Kestrel has left a connection the drain closed as idle: if it is plaintext HTTP/1.1, has served a request, had
    // been idle for SocketEnd.MinIdle when closed, and no request came since, its FIN goes out at the socket and the
    // transport's teardown waits until the server has stopped (ConnectionTracker.ReleaseEndedTransports).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryEndAtSocket()
    {
        var closedIdleAt = Volatile.Read(ref _closedIdleAt);
        var lastActivity = LastActivity;
        if (closedIdleAt == 0 || _endSocket is not { } socket
            || _tracker.Time.GetElapsedTime(lastActivity, closedIdleAt) < SocketEnd.MinIdle || !SocketEnd.TryFinish(socket))
        {
            return false;
        }

        _tracker.ReleaseAfterStop(_inner);
        return true;
    }

    public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);

    public override void Abort() => _inner.Abort();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override ValueTask DisposeAsync()
    {
        // The drain's idle connections (thousands at once) end at their socket with nothing to await: no state machine.
        if (TryEndAtSocket())
        {
            Forget();
            return base.DisposeAsync();
        }

        return DisposeTransportAsync();
    }

    private async ValueTask DisposeTransportAsync()
    {
        try
        {
            await _inner.DisposeAsync();
            await base.DisposeAsync();
        }
        finally
        {
            Forget();
        }
    }

    // Kestrel is done with this connection: it leaves the tracker, once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Forget()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _idleClose?.Dispose();
            _tracker.Remove(this);
        }
    }
}
