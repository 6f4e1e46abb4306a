namespace Graceful.Harness;

/// <summary>The running totals of a <see cref="KeepAliveLoad"/>, safe to read while its clients count.</summary>
public sealed class LoadCounters
{
    private int _ok;
    private int _lost;
    private int _refused;
    private int _nonSuccess;
    private int _okTarget = int.MaxValue;
    private TaskCompletionSource? _okReached;

    public LoadResult Snapshot() => new(Volatile.Read(ref _ok), Volatile.Read(ref _lost), Volatile.Read(ref _refused), Volatile.Read(ref _nonSuccess));

    /// <summary>Completes once <paramref name="count"/> requests got a 2xx: the load is running, whatever the machine's speed.</summary>
    public Task WhenOkAtLeastAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _okReached, reached);
        Volatile.Write(ref _okTarget, count);
        if (Volatile.Read(ref _ok) >= count)
        {
            reached.TrySetResult();
        }

        return reached.Task;
    }

    internal void AddOk()
    {
        if (Interlocked.Increment(ref _ok) >= Volatile.Read(ref _okTarget))
        {
            Volatile.Read(ref _okReached)?.TrySetResult();
        }
    }

    internal void AddLost() => Interlocked.Increment(ref _lost);

    internal void AddRefused() => Interlocked.Increment(ref _refused);

    internal void AddNonSuccess() => Interlocked.Increment(ref _nonSuccess);
}
