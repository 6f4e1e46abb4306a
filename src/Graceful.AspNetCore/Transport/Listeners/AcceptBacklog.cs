using System.Net;
using System.Net.Sockets;
using Graceful.AspNetCore.Transport.ListenSockets;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// Before the drain closes its listening sockets: a connection still in a socket's accept queue, or whose handshake the
/// kernel holds (its final ACK dropped on a full queue), would be reset by the kernel when the socket closes, though its
/// client already connected and may have sent its request.
/// <para>
/// On Linux, for the TCP sockets no other process listens on, the drain first closes them to new handshakes
/// (<see cref="NewHandshakeFilter"/>), then lets Kestrel's accept loop (it accepts continuously) take what is queued and
/// every held handshake as its client's next segment completes it, and closes once no handshake is under way
/// (<see cref="PendingHandshakes"/>) and the queues are empty, or after <see cref="HandshakeWait"/>. Elsewhere it waits
/// only until the queues look empty, at most <see cref="MaxWait"/>: under a burst they refill between the look and the
/// close. Never past the drain deadline, nor past a cut.
/// </para>
/// Accepted this way, a connection is drained like any other: answered with <c>Connection: close</c> if its request
/// comes, closed at <see cref="GracefulOptions.DrainReadHeaderTimeout"/> if not.
/// </summary>
internal static class AcceptBacklog
{
    // Kestrel's accept loop empties a queue in well under a millisecond per connection; this only bounds a stalled one.
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    // A held handshake completes when its client retransmits its data (Linux's minimum RTO is 200 ms, then 400 ms, 800 ms)
    // or answers the kernel's retransmitted SYN-ACK (1 s): this bounds a client that never does.
    public static readonly TimeSpan HandshakeWait = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan QueuePoll = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan HandshakePoll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Waits as above; <paramref name="exclusive"/> lists the sockets this process alone listens on (the ones it may
    /// filter), <paramref name="bound"/> the time left before the drain deadline.
    /// </summary>
    public static async Task<AcceptBacklogResult> WaitUntilAcceptedAsync(List<ListenSocket> sockets, List<ListenSocket> exclusive,
        TimeSpan bound, TimeProvider time, CancellationToken cut)
    {
        var started = time.GetTimestamp();
        var listening = CloseToNewHandshakes(exclusive);
        var limit = listening.Length > 0 ? HandshakeWait : MaxWait;
        limit = bound < limit ? bound : limit;
        var pending = 0;
        while (time.GetElapsedTime(started) < limit && !cut.IsCancellationRequested)
        {
            // Handshakes first: once none is under way none can start (filtered), so an empty queue after that stays empty.
            var queued = AnyQueued(sockets);
            pending = listening.Length > 0 && !queued ? PendingHandshakes.Count(listening) : 0;
            if (!queued && pending == 0 && !AnyQueued(sockets))
            {
                return new AcceptBacklogResult(listening.Length > 0, time.GetElapsedTime(started), 0, false);
            }

            // Not cancelled by the cut: the loop checks it, without an exception on the way out.
            await Task.Delay(queued ? QueuePoll : HandshakePoll, time, CancellationToken.None);
        }

        return new AcceptBacklogResult(listening.Length > 0, time.GetElapsedTime(started), pending, true);
    }

    // The local endpoints (family and port) of the sockets now closed to new handshakes.
    private static IPEndPoint[] CloseToNewHandshakes(List<ListenSocket> sockets)
    {
        var endpoints = new List<IPEndPoint>(sockets.Count);
        foreach (var listening in sockets)
        {
            if (NewHandshakeFilter.TryAttach(listening.Socket) && LocalEndPoint(listening.Socket) is { } endpoint)
            {
                endpoints.Add(endpoint);
            }
        }

        return [.. endpoints];
    }

    private static IPEndPoint? LocalEndPoint(Socket socket)
    {
        try
        {
            return socket.LocalEndPoint as IPEndPoint;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            return null;
        }
    }

    private static bool AnyQueued(List<ListenSocket> sockets)
    {
        foreach (var listening in sockets)
        {
            if (HasQueuedConnection(listening.Socket))
            {
                return true;
            }
        }

        return false;
    }

    // A listening socket is readable exactly when a connection waits in its accept queue.
    private static bool HasQueuedConnection(Socket socket)
    {
        try
        {
            return !socket.SafeHandle.IsClosed && socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            return false;
        }
    }
}
