using System.Collections.Concurrent;
using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// Puts requests into one <see cref="Moment"/> for a fuzz trial. The trial calls <see cref="PrepareAsync"/> (open and
/// warm connections), then <see cref="ActAsync"/> with the moment <see cref="Lead"/> ms later, and sends the signal at
/// an offset from the moment drawn from <see cref="SignalWindow"/>. Every request the probe sends, warm-ups included,
/// is recorded: a warm-up that fails failed too.
/// </summary>
internal abstract class MomentProbe(ProbeContext context) : IDisposable
{
    private readonly ConcurrentQueue<RequestRecord> _requests = new();
    private readonly Lock _moment = new();
    private long _ids;

    protected ProbeContext Context { get; } = context;

    /// <summary>How long after the preparation the moment comes (ms): at least the window's lead before it.</summary>
    public abstract double Lead { get; }

    /// <summary>Where the signal may fall, in ms from the moment (negative: before it).</summary>
    public abstract (double From, double To) SignalWindow { get; }

    /// <summary>When the moment actually came on the trial's clock (its first act), once it has.</summary>
    public double? MomentAt { get; protected set; }

    public IReadOnlyList<RequestRecord> Requests => [.. _requests.OrderBy(r => r.Start)];

    /// <summary>What the probe did, in a line for the report (known in full once it has acted).</summary>
    public abstract string Describe();

    public abstract Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Acts at <paramref name="momentAt"/> and returns once every request it sent has its outcome.</summary>
    public abstract Task ActAsync(double momentAt, CancellationToken cancellationToken);

    /// <summary>Closes the probe's connections.</summary>
    public abstract void Dispose();

    protected async Task<RequestRecord> SendAsync(Func<CancellationToken, Task<SendResult>> send, RequestSpec request, int connection, double scheduled)
    {
        var record = await TimedSend.RunAsync(send, request, Interlocked.Increment(ref _ids), connection, scheduled, Context.Clock, Context.Load.RequestTimeout);
        _requests.Enqueue(record);
        return record;
    }

    /// <summary>Waits until <paramref name="at"/> on the trial's clock; the first caller to get there marks the moment.</summary>
    protected async Task ReachAsync(double at, CancellationToken cancellationToken)
    {
        await Scenarios.ScenarioClock.DelayUntilAsync(Context.Clock, TimeSpan.FromMilliseconds(at), cancellationToken);
        lock (_moment)
        {
            MomentAt ??= Context.Clock.Now;
        }
    }
}
