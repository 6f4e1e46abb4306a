using System.Diagnostics;

namespace Graceful.Drill.Recording;

/// <summary>Milliseconds since the drill started, from <see cref="Stopwatch"/> timestamps (monotonic, sub-microsecond).</summary>
public sealed class DrillClock
{
    private readonly long _origin = Stopwatch.GetTimestamp();

    /// <summary>The wall-clock time of the origin, for the report.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.Now;

    public double Now => ToMilliseconds(Stopwatch.GetTimestamp());

    public double ToMilliseconds(long stopwatchTimestamp) => Stopwatch.GetElapsedTime(_origin, stopwatchTimestamp).TotalMilliseconds;
}
