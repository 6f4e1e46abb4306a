namespace Graceful.Harness;

/// <summary>The running totals of a <see cref="KeepAliveLoad"/>, safe to read while its clients count.</summary>
public sealed class LoadCounters
{
    private int _ok;
    private int _lost;
    private int _refused;
    private int _nonSuccess;

    public LoadResult Snapshot() => new(Volatile.Read(ref _ok), Volatile.Read(ref _lost), Volatile.Read(ref _refused), Volatile.Read(ref _nonSuccess));

    internal void AddOk() => Interlocked.Increment(ref _ok);

    internal void AddLost() => Interlocked.Increment(ref _lost);

    internal void AddRefused() => Interlocked.Increment(ref _refused);

    internal void AddNonSuccess() => Interlocked.Increment(ref _nonSuccess);
}
