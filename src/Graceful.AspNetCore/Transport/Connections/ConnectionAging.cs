using Graceful.AspNetCore.Platform;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>
/// With <see cref="GracefulOptions.MaxConnectionAge"/>: retires each connection once it is that old (give or take its
/// jitter), as gRPC's <c>MAX_CONNECTION_AGE</c> does, so long-lived clients reconnect and re-balance onto instances added
/// since. Retiring loses nothing (<see cref="TrackedConnection.Retire"/>). With a finite
/// <see cref="GracefulOptions.MaxConnectionAgeGrace"/>, a connection still open that long after it began retiring is cut.
/// One timer for all connections, armed for the next one due; each connection holds when it is next due, so nothing is
/// added per request and nothing polls. Once a shutdown begins, the drain takes over and aging stops.
/// </summary>
internal sealed partial class ConnectionAging
{
    private readonly ConnectionTracker _tracker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _age;
    private readonly long _jitter;
    private readonly long _grace;
    private readonly TimeSpan _idleGrace;
    // Deadlines this close together are served by one pass over the connections: a pass costs one look at each.
    private readonly TimeSpan _resolution;
    private readonly Lock _armGate = new();
    private readonly Lock _passGate = new();
    private readonly ITimer _timer;
    private long _nextPass;
    private int _retired;
    private int _cut;

    public ConnectionAging(ConnectionTracker tracker, TimeProvider time, ILogger logger, TimeSpan age, TimeSpan? jitter, TimeSpan grace, TimeSpan idleGrace)
    {
        _tracker = tracker;
        _time = time;
        _logger = logger;
        _age = _time.TicksOf(age);
        // gRPC's default: ±10 % of the age, so connections opened together (a client fleet starting at once) do not all
        // reconnect together.
        _jitter = _time.TicksOf(jitter ?? age / 10);
        _grace = grace == Timeout.InfiniteTimeSpan ? long.MaxValue : _time.TicksOf(grace);
        _idleGrace = idleGrace;
        _resolution = TimeSpan.FromTicks(Math.Clamp(age.Ticks / 100, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _timer = time.CreateTimer(static state => ((ConnectionAging)state!).Pass(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Connections retired for their age so far.</summary>
    public int RetiredCount => Volatile.Read(ref _retired);

    /// <summary>Connections cut because they were still open <see cref="GracefulOptions.MaxConnectionAgeGrace"/> after retiring.</summary>
    public int CutCount => Volatile.Read(ref _cut);

    /// <summary>Gives a connection just accepted its age, drawn within the jitter, and arms the timer if it is the next due.</summary>
    public void Accepted(TrackedConnection connection, long acceptedAt)
    {
        var due = acceptedAt + _age + (_jitter == 0 ? 0 : Random.Shared.NextInt64(-_jitter, _jitter + 1));
        connection.AgeCheckAt = due;
        ArmFor(due);
    }

    private void ArmFor(long due)
    {
        if (Volatile.Read(ref _nextPass) is var next && next != 0 && next <= due)
        {
            return;
        }

        lock (_armGate)
        {
            if (_nextPass != 0 && _nextPass <= due)
            {
                return;
            }

            _nextPass = due;
            var left = _time.GetElapsedTime(_time.GetTimestamp(), due);
            _timer.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    // One look at each connection: those due are retired (or cut), the others say when they are next due.
    private void Pass()
    {
        lock (_passGate)
        {
            lock (_armGate)
            {
                _nextPass = 0;
            }

            if (!_tracker.IsQuiet)
            {
                // A shutdown has begun: the drain decides how every connection ends from here.
                return;
            }

            var now = _time.GetTimestamp();
            var next = long.MaxValue;
            foreach (var connection in _tracker.OpenConnections)
            {
                var due = connection.AgeCheckAt;
                if (due != 0 && due <= now)
                {
                    Visit(connection, now);
                    due = connection.AgeCheckAt;
                }

                if (due != 0)
                {
                    next = Math.Min(next, due);
                }
            }

            if (next != long.MaxValue)
            {
                // Never sooner than one resolution from now: connections due within it are served by the same pass.
                ArmFor(Math.Max(next, now + _time.TicksOf(_resolution)));
            }
        }
    }

    // Retires a connection that is due, or cuts it at the grace; leaves in its AgeCheckAt when it is next due (0: never).
    private void Visit(TrackedConnection connection, long now)
    {
        if (connection.RetiringSince == 0)
        {
            Interlocked.Increment(ref _retired);
        }

        var retireAgain = connection.Retire(now, _idleGrace);
        // An upgraded connection (a WebSocket) is not cut: Kestrel never reuses it, so it ends with its stream.
        if (_grace == long.MaxValue || connection.IsUpgraded)
        {
            connection.AgeCheckAt = retireAgain;
            return;
        }

        var cutAt = connection.RetiringSince + _grace;
        if (now < cutAt)
        {
            connection.AgeCheckAt = retireAgain == 0 ? cutAt : Math.Min(retireAgain, cutAt);
            return;
        }

        Interlocked.Increment(ref _cut);
        LogCut(_logger, connection.ConnectionId, connection.InFlightCount);
        connection.AgeCheckAt = 0;
        connection.Abort(new ConnectionAbortedException("Graceful: still open Graceful:MaxConnectionAgeGrace after it reached Graceful:MaxConnectionAge"));
    }


    [LoggerMessage(EventId = 100, EventName = "ConnectionAgeGraceCut", Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} was still open Graceful:MaxConnectionAgeGrace after reaching Graceful:MaxConnectionAge: cut with {Requests} requests in flight")]
    private static partial void LogCut(ILogger logger, string connectionId, int requests);
}
