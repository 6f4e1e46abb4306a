namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>
/// Closes the connections open at drain start one at a time over a window (<see cref="GracefulOptions.CloseSpread"/>),
/// as HAProxy's <c>close-spread-time</c> and Envoy's gradual drain do, so that their clients reconnect to the other
/// instances at an even rate rather than in the same instant. The window is cut into as many slots as there are
/// connections; the connections are shuffled into them, each closing at a random moment of its slot. So each
/// connection's moment is uniform over the window (a response at a given point of it says <c>Connection: close</c> with
/// a probability that rises from 0 to 1), drawn once per connection: a draw per response, as Envoy makes, closes a
/// connection serving r requests a second about √(2·window/r) into the window, so the busiest would all leave at its
/// start. And the closes come at an even rate, without the clumps of independent draws. One timer for all, re-armed for
/// the next moment; nothing runs per request.
/// </summary>
internal sealed class CloseSpread : IDisposable
{
    private readonly TrackedConnection?[] _connections;
    private readonly long[] _dueAt;
    private readonly TimeProvider _time;
    private readonly Action<TrackedConnection> _close;
    private readonly Action _ended;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private int _next;

    /// <param name="connections">Shuffled here: the caller gives it up.</param>
    /// <param name="window">From now, the window the moments are spread over.</param>
    /// <param name="time">The clock of the timer and the moments.</param>
    /// <param name="close">Closes one connection (losslessly) at its moment.</param>
    /// <param name="ended">Called once, when the last moment has passed or <see cref="CloseRestNow"/> closed the rest.</param>
    public CloseSpread(TrackedConnection[] connections, TimeSpan window, TimeProvider time, Action<TrackedConnection> close, Action ended)
    {
        Random.Shared.Shuffle(connections);
        _connections = connections;
        _time = time;
        _close = close;
        _ended = ended;
        var start = time.GetTimestamp();
        var slot = window.TotalSeconds * time.TimestampFrequency / Math.Max(1, connections.Length);
        _dueAt = new long[connections.Length];
        for (var i = 0; i < _dueAt.Length; i++)
        {
            _dueAt[i] = start + (long)(slot * (i + Random.Shared.NextDouble()));
        }

        _timer = time.CreateTimer(static state => ((CloseSpread)state!).CloseDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Count => _connections.Length;

    /// <summary>Arms the timer for the first moment.</summary>
    public void Start() => CloseDue();

    /// <summary>Closes every connection whose moment has not come yet, now; false if none was left.</summary>
    public bool CloseRestNow()
    {
        lock (_gate)
        {
            if (_next == _connections.Length)
            {
                return false;
            }

            CloseUpTo(long.MaxValue);
            return true;
        }
    }

    private void CloseDue()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (CloseUpTo(now))
            {
                return;
            }

            _timer.Change(_time.GetElapsedTime(now, _dueAt[_next]), Timeout.InfiniteTimeSpan);
        }
    }

    // Closes those due by `now`; true once none is left (and the spread has ended).
    private bool CloseUpTo(long now)
    {
        while (_next < _connections.Length && _dueAt[_next] <= now)
        {
            var connection = _connections[_next]!;
            // Dropped once closed: a connection that has ended is not kept alive until the window's end.
            _connections[_next++] = null;
            _close(connection);
        }

        if (_next < _connections.Length)
        {
            return false;
        }

        _timer.Dispose();
        _ended();
        return true;
    }

    /// <summary>Stops without closing anything more (the drain has ended, or its deadline aborts what is left).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _next = _connections.Length;
            Array.Clear(_connections);
            _timer.Dispose();
        }
    }
}
