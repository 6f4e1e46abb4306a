using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// The shape of the keep-alive and HTTP/2 moments: what the probe opened serves a request, sits idle a random time,
/// then <paramref name="count"/> requests go out <paramref name="spacingMs"/> apart from the moment on.
/// </summary>
internal abstract class SpacedAfterIdleProbe(ProbeContext context, int count, double spacingMs, double idleFrom, double idleTo) : MomentProbe(context)
{
    protected int Count => count;

    protected double SpacingMs => spacingMs;

    protected double Idle { get; } = context.Uniform(idleFrom, idleTo);

    public override double Lead => Idle;

    public override Task ActAsync(double momentAt, CancellationToken cancellationToken) => Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
    {
        var at = momentAt + (i * spacingMs);
        await ReachAsync(at, cancellationToken);
        await SendOnAsync(i, at);
    }));

    /// <summary>Sends request <paramref name="index"/> (on its connection, or as its stream).</summary>
    protected abstract Task<RequestRecord> SendOnAsync(int index, double scheduled);
}
