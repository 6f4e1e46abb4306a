using System.Net.Sockets;
using Graceful.AspNetCore.Transport.ListenSockets;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// Before the drain closes its listening sockets: a connection still in a socket's accept queue would be reset by
/// the kernel when the socket closes, though its client already connected and may have sent its request. So the
/// drain first lets Kestrel's accept loop take what is queued (it accepts continuously), and closes once the queues
/// are empty or after <see cref="MaxWait"/>. Accepted this way, such a connection is drained like any other: answered
/// with <c>Connection: close</c> if its request comes, closed at <see cref="GracefulOptions.DrainReadHeaderTimeout"/> if not.
/// </summary>
internal static class AcceptBacklog
{
    // Kestrel's accept loop empties a queue in well under a millisecond per connection; this only bounds a stalled one.
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    public static async Task WaitUntilAcceptedAsync(List<ListenSocket> sockets, TimeProvider time)
    {
        var started = time.GetTimestamp();
        while (AnyQueued(sockets) && time.GetElapsedTime(started) < MaxWait)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), time);
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
