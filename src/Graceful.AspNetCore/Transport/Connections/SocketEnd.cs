using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore.Platform;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Win32.SafeHandles;

namespace Graceful.AspNetCore.Transport.Connections;

// AggressiveOptimization: methods a stop runs once per connection, thousands at once (docs/design.md, after the warm-up).
/// <summary>
/// Ends an idle plaintext HTTP/1.1 connection at its socket, and nothing else runs. Kestrel's sockets transport would
/// instead tear the connection down through its send loop, receive loop and connection-closed callback, several
/// thread-pool hand-offs each; at 10,000 idle connections that teardown was most of the exit above the kernel's own
/// (docs/benchmarks.md).
/// <para>
/// The socket is closed in place: its descriptor is pointed at <c>/dev/null</c> (<c>dup3</c>), which closes the socket
/// now, on the thread that ended it, and its close sends the FIN. The transport still holds a valid descriptor, which
/// nothing reuses, until <see cref="ConnectionTracker.ReleaseEndedTransports"/> (or the process's exit) releases it;
/// its pending receive never completes until then. Closed this way the socket is no longer watched by the runtime's
/// epoll, so neither its FIN nor the client's answer wakes the runtime's sockets thread; left open, half-closed, the
/// exiting process closed 10,000 of them one after another on one core.
/// </para>
/// <para>
/// A socket holding bytes the application never read would be reset by its close; it gets
/// <c>shutdown(SHUT_WR)</c> instead, a FIN with the socket left open, as does any socket where the close in place is
/// not possible.
/// </para>
/// </summary>
internal static class SocketEnd
{
    /// <summary>
    /// How long a connection must have been idle: Graceful counts a request ended when its handler returns, and
    /// Kestrel writes the response's last bytes to the socket just after that, within microseconds unless the client
    /// is not reading, which the send-queue check below catches.
    /// </summary>
    public static readonly TimeSpan MinIdle = TimeSpan.FromMilliseconds(100);

    // Opened once: the file every socket closed in place then points at; null where it cannot be opened.
    private static readonly SafeFileHandle? DevNull = OpenDevNull();

    /// <summary>
    /// The socket a connection may end at (see <see cref="TryFinish"/>): Linux, Kestrel's sockets transport (the socket is
    /// reachable) and no TLS (its own close stays Kestrel's); null otherwise. Asked once per connection, at its first
    /// request, while its features are in the cache, not at the stop: the absent TLS feature is a scan of every extra
    /// feature, and the stop would make it on 10,000 cold objects at once (see TrackedConnection's kept features).
    /// </summary>
    public static Socket? SocketOf(ConnectionContext transport)
    {
        // The indexer, not Get<T> (a generic virtual call's runtime lookup).
        var features = transport.Features;
        return OperatingSystem.IsLinux() && features[typeof(ITlsHandshakeFeature)] is null
            ? (features[typeof(IConnectionSocketFeature)] as IConnectionSocketFeature)?.Socket
            : null;
    }

    /// <summary>
    /// Ends the connection at <paramref name="socket"/> (from <see cref="SocketOf"/>) with a FIN if nothing is left to
    /// send: no byte of an earlier response unsent or unacknowledged in the kernel. False, with nothing done, otherwise:
    /// the transport's own teardown then runs as it would without Graceful.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryFinish(Socket socket)
    {
        try
        {
            return End(socket);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool End(Socket socket)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var descriptor = (int)handle.DangerousGetHandle();
            // One call for both queues. Send: bytes not yet sent or acknowledged, which a FIN could cut short behind a
            // client that does not read. Receive: bytes Kestrel never read, which would turn the close into a reset.
            var queues = stackalloc uint[Libc.MemoryInfoCount];
            var length = Libc.MemoryInfoCount * sizeof(uint);
            if (Libc.GetSocketOption(descriptor, Libc.SocketLevel, Libc.SocketMemoryInfo, queues, &length) != 0
                || length <= Libc.MemoryInfoSendQueued * sizeof(uint) || queues[Libc.MemoryInfoSendQueued] != 0)
            {
                return false;
            }

            if (queues[Libc.MemoryInfoReceiveQueued] != 0 || DevNull is null
                || Libc.Dup3((int)DevNull.DangerousGetHandle(), descriptor, Libc.OpenCloseOnExec) < 0)
            {
                socket.Shutdown(SocketShutdown.Send);
            }

            return true;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static SafeFileHandle? OpenDevNull()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
