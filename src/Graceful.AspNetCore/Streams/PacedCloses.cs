using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Graceful.AspNetCore.Streams;

/// <summary>
/// Sends the drain's WebSocket closes a batch at a time, each batch one thread-pool work item queued behind the sends of
/// the one before. Sent straight from <see cref="IShutdownTokens.Draining"/>'s callbacks, 10,000 close frames were
/// written before the transport had sent the first: each took a fresh block from Kestrel's memory pool (pinned, 4 KB),
/// 10,000 of them at once, and that burst of pinned allocations started a full collection in the middle of the drain
/// (47 ms paused with 2,000 sockets; docs/benchmarks.md). Queued behind each other, the transport sends a batch's
/// frames, and returns their blocks, before the next batch takes them again.
/// </summary>
internal sealed class PacedCloses : IThreadPoolWorkItem
{
    // Small next to the blocks a pool keeps while the server idles, large enough that a work item is worth its hop.
    private const int Batch = 64;

    private readonly ConcurrentQueue<GracefulWebSocket> _closes = new();
    private int _scheduled;

    // Optimized from the start, as GracefulWebSocket.OnDraining says why.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Enqueue(GracefulWebSocket socket)
    {
        _closes.Enqueue(socket);
        Schedule();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute()
    {
        for (var i = 0; i < Batch && _closes.TryDequeue(out var socket); i++)
        {
            // Does not throw (a failed close aborts its socket): an exception here, on a thread-pool work item, would end
            // the process.
            socket.CloseForShutdown();
        }

        // Cleared before looking again: a close enqueued in between either sees it clear and schedules, or is seen here.
        Interlocked.Exchange(ref _scheduled, 0);
        if (!_closes.IsEmpty)
        {
            Schedule();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Schedule()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            // The global queue, behind the transport sends the last batch scheduled.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }
}
