using System.Collections.Concurrent;

namespace Graceful.Drill.Recording;

/// <summary>
/// Collects every request and marker of a drill from many workers at once, and keeps running counts per outcome for
/// the live view without locking the workers.
/// </summary>
public sealed class DrillRecorder(DrillClock clock)
{
    private readonly ConcurrentQueue<RequestRecord> _requests = new();
    private readonly ConcurrentQueue<Marker> _markers = new();
    private readonly ConcurrentQueue<ProcessExit> _exits = new();
    private readonly ConcurrentQueue<RestartConnections> _newConnections = new();
    private readonly long[] _counts = new long[Enum.GetValues<Outcome>().Length];
    private long _nextId;

    public DrillClock Clock { get; } = clock;

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(RequestRecord request)
    {
        _requests.Enqueue(request);
        Interlocked.Increment(ref _counts[(int)request.Outcome]);
    }

    /// <summary>Marks a moment; <paramref name="at"/> defaults to now.</summary>
    public void Mark(MarkerKind kind, string label, double? at = null) => _markers.Enqueue(new Marker(kind, at ?? Clock.Now, label));

    public void AddExit(ProcessExit exit) => _exits.Enqueue(exit);

    /// <summary>A rolling restart's new connections at the instances left serving (when the balancer counts them).</summary>
    public void AddNewConnections(RestartConnections connections) => _newConnections.Enqueue(connections);

    public long Count(Outcome outcome) => Interlocked.Read(ref _counts[(int)outcome]);

    /// <summary>Requests so far in the order they ended.</summary>
    public IReadOnlyList<RequestRecord> Requests => [.. _requests.OrderBy(r => r.End)];

    public IReadOnlyList<Marker> Markers => [.. _markers.OrderBy(m => m.At)];

    public IReadOnlyList<ProcessExit> Exits => [.. _exits];

    /// <summary>Null when no restart reported them (not a rolling restart, or a balancer that does not count).</summary>
    public IReadOnlyList<RestartConnections>? NewConnections => _newConnections.IsEmpty ? null : [.. _newConnections];
}
