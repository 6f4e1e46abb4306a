using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore.Platform;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Graceful.AspNetCore.Transport.Connections;

// AggressiveOptimization: methods a stop runs once per connection, thousands at once (docs/design.md, after the warm-up).
/// <summary>
/// Ends an idle plaintext HTTP/1.1 connection at its socket: one <c>shutdown(SHUT_WR)</c> sends the client its FIN,
/// and nothing else runs. Kestrel's sockets transport would instead tear the connection down through its send loop,
/// receive loop and connection-closed callback, several thread-pool hand-offs each; at 10,000 idle connections that
/// teardown was most of the exit above the kernel's own (docs/benchmarks.md). The socket itself stays open, half-closed,
/// until <see cref="ConnectionTracker.ReleaseEndedTransports"/> or the process's exit closes it; nothing more is
/// sent on it either way.
/// </summary>
internal static class SocketEnd
{
    /// <summary>
    /// How long a connection must have been idle: Graceful counts a request ended when its handler returns, and
    /// Kestrel writes the response's last bytes to the socket just after that, within microseconds unless the client
    /// is not reading, which the unsent-bytes check below catches.
    /// </summary>
    public static readonly TimeSpan MinIdle = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Sends the FIN if nothing is left to send: Linux, Kestrel's sockets transport (the socket is reachable), no TLS
    /// (its own close stays Kestrel's), and no byte of an earlier response unsent or unacknowledged in the kernel. False,
    /// with nothing done, otherwise: the transport's own teardown then runs as it would without Graceful.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryFinish(ConnectionContext transport)
    {
        // The indexer, not Get<T> (a generic virtual call's runtime lookup): this runs for every idle connection at a stop.
        var features = transport.Features;
        if (!OperatingSystem.IsLinux()
            || features[typeof(ITlsHandshakeFeature)] is not null
            || (features[typeof(IConnectionSocketFeature)] as IConnectionSocketFeature)?.Socket is not { } socket)
        {
            return false;
        }

        try
        {
            if (UnsentBytes(socket) != 0)
            {
                return false;
            }

            socket.Shutdown(SocketShutdown.Send);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    // SIOCOUTQ: bytes written but not yet acknowledged by the client; -1 if the kernel would not say.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int UnsentBytes(Socket socket)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int unsent;
            return Libc.Ioctl((int)handle.DangerousGetHandle(), Libc.SocketOutputQueue, &unsent) == 0 ? unsent : -1;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
