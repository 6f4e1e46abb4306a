using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore.Platform;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Transport.Connections;

// AggressiveOptimization: methods a stop runs once per connection, thousands at once (docs/design.md, after the warm-up).
/// <summary>
/// Owns the set of open connections. Completion is event-driven: the last connection to close completes
/// <see cref="WhenAllClosedAsync"/>; nothing polls.
/// </summary>
internal sealed class ConnectionTracker(ShutdownTokens tokens, TimeProvider time)
{
    // A reference-type value (always null): the dictionary then runs the framework's precompiled code shared by every
    // reference-type instantiation, where a byte value had its adds, removes and walks compiled at tier 0, which the
    // stop then ran 10,000 times over.
    private readonly ConcurrentDictionary<TrackedConnection, object?> _open = new();
    // Connections accepted so far: each one's accept order (TrackedConnection.GetHashCode).
    private int _accepted;
    private readonly Lock _gate = new();
    // Transports of connections that ended at their socket (SocketEnd), released once the server has stopped.
    private readonly ConcurrentQueue<ConnectionContext> _endedAtSocket = new();
    private TaskCompletionSource? _allClosed;
    // What the shutdown has asked of the connections so far (Shutdown flags); zero while nothing is stopping, which
    // is all a request checks on its way in and out.
    private int _shutdown;
    private TimeSpan _idleGrace;
    private TimeSpan _requestBound;
    private int _closedWithoutRequest;
    private ITimer? _requestBoundTimer;
    private long _nextRequestBoundCheck;
    // The drain's closes spread over a window (under _gate), and whether a second signal overrode any spread.
    private CloseSpread? _spread;
    private bool _spreadOverridden;

    // Counted apart from the dictionary: its Count takes every lock and IsEmpty scans every bucket, which made
    // closing 10,000 connections quadratic.
    private int _openCount;

    public int OpenCount => Volatile.Read(ref _openCount);

    /// <summary>
    /// The open connections, walked without a lock and without a snapshot (a pass over 10,000 connections allocates
    /// nothing per connection). Keys would take every lock and copy, and its first call creates the concurrent
    /// collections' EventSource: about 2 ms of CPU at the signal, where the first walk happens.
    /// </summary>
    public OpenConnectionWalk OpenConnections => new(_open);

    [Flags]
    private enum Shutdown
    {
        Recording = 1,
        ClosingAfterResponses = 2,
        Closing = 4,
        // Connections are asked to close one at a time (CloseSpread): each response asks whether its own connection is.
        ClosingOneByOne = 8,
    }

    /// <summary>True while no shutdown has asked anything of the connections: requests take the fast path.</summary>
    public bool IsQuiet => Volatile.Read(ref _shutdown) == 0;

    public bool IsClosing => Has(Shutdown.Closing);

    /// <summary>True once a shutdown has asked for the requests in flight (<see cref="InFlightRequests"/>): their records must be kept up to date.</summary>
    public bool IsRecording => Has(Shutdown.Recording);

    /// <summary>
    /// True once responses close their connections: from the drain's start, or earlier, during a pre-stop that
    /// moves keep-alive clients away (<see cref="CloseAfterResponses"/>).
    /// </summary>
    public bool ClosesAfterResponses => Has(Shutdown.ClosingAfterResponses);

    private bool Has(Shutdown flag) => (Volatile.Read(ref _shutdown) & (int)flag) != 0;

    /// <summary>
    /// Whether a response on <paramref name="connection"/> closes it: every response does once <see cref="ClosesAfterResponses"/>;
    /// while the drain closes connections one at a time, those asked to close (<see cref="TrackedConnection.IsClosing"/>).
    /// While nothing stops, one read and one test, as before.
    /// </summary>
    public bool ClosesAfterResponse(TrackedConnection connection)
    {
        var shutdown = Volatile.Read(ref _shutdown);
        return (shutdown & (int)(Shutdown.ClosingAfterResponses | Shutdown.ClosingOneByOne)) != 0
            && ((shutdown & (int)Shutdown.ClosingAfterResponses) != 0 || connection.IsClosing);
    }

    // A full fence: a request that ends after this either sees the flag or was seen by whatever reads its connection next.
    private void Enter(Shutdown flags) => Interlocked.Or(ref _shutdown, (int)flags);

    /// <summary>
    /// From now on each response says <c>Connection: close</c> (HTTP/2: GOAWAY), while the listeners still accept: a
    /// balancer that keeps its backend connections open learns nothing from readiness until it has to reconnect.
    /// </summary>
    public void CloseAfterResponses(TimeSpan idleGrace)
    {
        _idleGrace = idleGrace;
        Enter(Shutdown.ClosingAfterResponses);
    }

    /// <summary>How long, during the drain, a connection is kept for its client's next request after it was last used.</summary>
    public TimeSpan IdleGrace => _idleGrace;

    public TimeProvider Time => time;

    /// <summary>During the drain, how long a connection not serving a request has to complete one (<see cref="GracefulOptions.DrainReadHeaderTimeout"/>).</summary>
    public TimeSpan RequestBound => _requestBound;

    /// <summary>Connections the drain closed because they did not complete a request within <see cref="RequestBound"/>.</summary>
    public int ClosedWithoutRequestCount => Volatile.Read(ref _closedWithoutRequest);

    /// <summary>
    /// With a <see cref="GracefulOptions.Http2GoAwayGrace"/> (the default; not with <c>0</c>): an idle HTTP/2 connection used
    /// within the idle grace is kept for its client's next stream, like an HTTP/1.1 one, so that GOAWAY is asked for while
    /// a stream is open.
    /// </summary>
    public bool KeepsIdleHttp2 { get; set; }

    private int _http2ClosedServing;
    private int _http2ClosedIdle;

    /// <summary>HTTP/2 connections asked to close while serving a stream (Kestrel's two-step GOAWAY) and while idle (one-step).</summary>
    public int Http2ClosedServing => Volatile.Read(ref _http2ClosedServing);

    /// <summary>HTTP/2 connections asked to close while idle (Kestrel's one-step GOAWAY).</summary>
    public int Http2ClosedIdle => Volatile.Read(ref _http2ClosedIdle);

    /// <summary>Counts an HTTP/2 connection's first close request (see <see cref="TrackedConnection.RequestClose"/>).</summary>
    public void CountHttp2Close(bool serving) => Interlocked.Increment(ref serving ? ref _http2ClosedServing : ref _http2ClosedIdle);

    // Called with the number of connections left each time one closes during the drain (given to BeginDrain).
    private Action<int>? _closedWhileDraining;

    /// <summary>With <see cref="GracefulOptions.MaxConnectionAge"/>: retires connections for their age; null when off.</summary>
    public ConnectionAging? Aging { get; private set; }

    /// <summary>From now on, connections accepted are retired once <paramref name="age"/> old (see <see cref="ConnectionAging"/>).</summary>
    public void AgeConnections(TimeSpan age, TimeSpan? jitter, TimeSpan grace, TimeSpan idleGrace, ILogger logger) =>
        Aging = new ConnectionAging(this, time, logger, age, jitter, grace, idleGrace);

    public ConnectionContext Track(ConnectionContext inner)
    {
        var acceptedAt = time.GetTimestamp();
        var connection = new TrackedConnection(inner, this, acceptedAt, Interlocked.Increment(ref _accepted));
        // Set once per connection: Kestrel's request features fall back to the connection's, so every request's
        // HttpContext.Features.Get<IShutdownTokens>() finds it without a per-request Set.
        inner.Features.Set<IShutdownTokens>(tokens);
        _open.TryAdd(connection, null);
        Interlocked.Increment(ref _openCount);
        if (Aging is { } aging && IsQuiet)
        {
            aging.Accepted(connection, acceptedAt);
        }

        // Accepted just before the listeners closed: its client may be sending its first request right now.
        if (IsClosing)
        {
            connection.CloseGracefully(_idleGrace, KeepsIdleHttp2, time.GetTimestamp());
            BoundRequestsIn(_requestBound);
        }

        return connection;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Remove(TrackedConnection connection)
    {
        _open.TryRemove(connection, out _);
        var left = Interlocked.Decrement(ref _openCount);
        if (IsClosing)
        {
            Volatile.Read(ref _closedWhileDraining)?.Invoke(left);
        }

        if (left == 0)
        {
            lock (_gate)
            {
                if (OpenCount == 0)
                {
                    _allClosed?.TrySetResult();
                }
            }
        }
    }

    public (int Connections, int Requests) Count()
    {
        var connections = 0;
        var requests = 0;
        foreach (var connection in OpenConnections)
        {
            connections++;
            requests += connection.InFlightCount;
        }

        return (connections, requests);
    }

    /// <summary>The requests in flight now, as records that stay up to date from here on (see <see cref="IsRecording"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<InFlightRequest> InFlightRequests()
    {
        Enter(Shutdown.Recording);
        var requests = new List<InFlightRequest>();
        foreach (var connection in OpenConnections)
        {
            connection.CopyRequestsTo(requests);
        }

        return requests;
    }

    /// <summary>
    /// From now on every connection is on its way out, each closed by <see cref="TrackedConnection.CloseGracefully"/>: a
    /// busy HTTP/1.1 connection closes after its current response if that response can still say <c>Connection: close</c>
    /// (see <see cref="TrackedConnection.OnResponseStarting"/>), else it is kept for the client's next request (see
    /// <see cref="TrackedConnection.RequestEnded"/>); an idle one used within <paramref name="idleGrace"/> stays open for
    /// the client's next request (answered with <c>Connection: close</c>) or until it has idled for the grace; one idle
    /// for longer closes now, as does every HTTP/2 connection, whose GOAWAY lets its client finish open streams and retry
    /// nothing. With a <paramref name="spread"/> window, each is closed so at its own moment of the window instead
    /// (<see cref="CloseSpread"/>), unless a second signal came first (<see cref="CloseSpreadRestNow"/>).
    /// <paramref name="closed"/>, when given, hears the number of connections left each time one closes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DrainStart BeginDrain(TimeSpan idleGrace, TimeSpan requestBound, Action<int>? closed = null, TimeSpan spread = default)
    {
        var now = time.GetTimestamp();
        Volatile.Write(ref _closedWhileDraining, closed);
        _idleGrace = idleGrace;
        _requestBound = requestBound;
        if (spread > TimeSpan.Zero && StartSpread(spread) is { } spreading)
        {
            return spreading;
        }

        Enter(Shutdown.Closing | Shutdown.ClosingAfterResponses);
        int busy = 0, idleClosed = 0, kept = 0, requests = 0;
        foreach (var connection in OpenConnections)
        {
            requests += connection.InFlightCount;
            switch (connection.CloseGracefully(idleGrace, KeepsIdleHttp2, now))
            {
                case GracefulClose.Busy:
                    busy++;
                    break;
                case GracefulClose.ClosedIdle:
                    idleClosed++;
                    break;
                default:
                    kept++;
                    break;
            }
        }

        // Also bounds the idle ones just closed: Kestrel's close does not end a connection part-way through its request
        // line or headers.
        BoundRequestsIn(requestBound);

        return new DrainStart(busy, idleClosed, kept, Requests: requests);
    }

    // The connections whose closes are spread and their requests, or null when a second signal already overrode the spread.
    private DrainStart? StartSpread(TimeSpan window)
    {
        CloseSpread spread;
        var requests = 0;
        lock (_gate)
        {
            if (_spreadOverridden)
            {
                return null;
            }

            Enter(Shutdown.Closing | Shutdown.ClosingOneByOne);
            TrackedConnection[] connections = [.. OpenConnections];
            foreach (var connection in connections)
            {
                requests += connection.InFlightCount;
            }

            _spread = spread = new CloseSpread(connections, window, time, CloseAtItsMoment,
                () => Enter(Shutdown.ClosingAfterResponses));
        }

        spread.Start();
        return new DrainStart(0, 0, 0, spread.Count, requests);
    }

    private void CloseAtItsMoment(TrackedConnection connection)
    {
        if (_open.ContainsKey(connection))
        {
            connection.CloseGracefully(_idleGrace, KeepsIdleHttp2, time.GetTimestamp());
            BoundRequestsIn(_requestBound);
        }
    }

    /// <summary>
    /// A second signal overrides the spread (<see cref="GracefulOptions.CloseSpread"/>): the connections whose moment has
    /// not come close now, as a drain without it would close them, and a drain yet to start does not spread. False when
    /// no spread was closing connections.
    /// </summary>
    public bool CloseSpreadRestNow()
    {
        CloseSpread? spread;
        lock (_gate)
        {
            _spreadOverridden = true;
            spread = _spread;
        }

        return spread?.CloseRestNow() ?? false;
    }

    /// <summary>The drain has ended (or is being cut): a spread closes nothing more.</summary>
    public void StopSpread()
    {
        lock (_gate)
        {
            _spread?.Dispose();
        }
    }

    /// <summary>
    /// During the drain: checks, <paramref name="dueIn"/> from now (or sooner if already due), for connections that
    /// have not completed a request within <see cref="RequestBound"/>. One timer for all connections, re-armed for the
    /// next connection due; it runs only when a connection could be due, so nothing polls.
    /// </summary>
    public void BoundRequestsIn(TimeSpan dueIn)
    {
        var at = time.GetTimestamp() + time.TicksOf(dueIn);
        lock (_gate)
        {
            if (_nextRequestBoundCheck != 0 && _nextRequestBoundCheck <= at)
            {
                return;
            }

            _nextRequestBoundCheck = at;
            _requestBoundTimer ??= time.CreateTimer(static state => ((ConnectionTracker)state!).CheckRequestBound(), this,
                Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _requestBoundTimer.Change(dueIn, Timeout.InfiniteTimeSpan);
        }
    }

    private void CheckRequestBound()
    {
        lock (_gate)
        {
            _nextRequestBoundCheck = 0;
        }

        var now = time.GetTimestamp();
        TimeSpan? next = null;
        foreach (var connection in OpenConnections)
        {
            if (connection.CloseIfNoRequestWithin(_requestBound, now, out var left))
            {
                Interlocked.Increment(ref _closedWithoutRequest);
            }
            else if (left > TimeSpan.Zero)
            {
                next = next is { } n && n < left ? n : left;
            }
        }

        if (next is { } due)
        {
            BoundRequestsIn(due);
        }
    }

    /// <summary>A connection Kestrel is done with ended at its socket: its transport is released after the server stopped.</summary>
    public void ReleaseAfterStop(ConnectionContext transport) => _endedAtSocket.Enqueue(transport);

    /// <summary>
    /// Once the server has stopped: disposes, one at a time in the background, the transports of connections that ended
    /// at their socket, which closes their descriptors (the sockets themselves are closed already, or half-closed) and
    /// returns their buffers. One at a time, so that the thread pool stays free for the rest of the stop; a process that
    /// exits first leaves the rest to the kernel, which has nothing left to send on them.
    /// </summary>
    public void ReleaseEndedTransports()
    {
        if (!_endedAtSocket.IsEmpty)
        {
            _ = Task.Run(ReleaseEndedTransportsAsync);
        }
    }

    private async Task ReleaseEndedTransportsAsync()
    {
        while (_endedAtSocket.TryDequeue(out var transport))
        {
            try
            {
                await transport.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // A transport torn down in the meantime (its client reset it): nothing left to release.
            }
        }
    }

    public void AbortAll(string reason)
    {
        StopSpread();
        foreach (var connection in OpenConnections)
        {
            connection.Abort(new ConnectionAbortedException(reason));
        }
    }

    public Task WhenAllClosedAsync()
    {
        lock (_gate)
        {
            if (OpenCount == 0)
            {
                return Task.CompletedTask;
            }

            _allClosed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _allClosed.Task;
        }
    }
}
