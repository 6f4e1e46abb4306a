using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Graceful.AspNetCore.Platform;

namespace Graceful.AspNetCore.Transport.ListenSockets;

/// <summary>
/// A Unix domain listening socket whose file the process, not the socket, owns. .NET deletes the file of a Unix socket
/// it bound when that socket is disposed, which after an upgrade's hand-over would take the successor's address away
/// as the predecessor closes its copy. Bound here through libc, the socket has no file .NET knows of; Graceful removes
/// the file at a shutdown that does not hand over (<see cref="ListenSocketBroker.RemoveUnixSocketFiles"/>, from <c>ListenerRegistry.StopAcceptingAsync</c>).
/// </summary>
internal static class UnixListenSocket
{
    private const int MaxPath = 107; // sun_path is 108 bytes, NUL included

    public static unsafe Socket Bind(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length > MaxPath)
        {
            throw new ArgumentException($"The Unix socket path '{path}' is longer than {MaxPath} bytes.", nameof(path));
        }

        var descriptor = Libc.Socket(Libc.UnixDomain, Libc.Stream | Libc.SocketCloseOnExec, 0);
        if (descriptor < 0)
        {
            throw new SocketException((int)SocketError.SocketError, $"socket(AF_UNIX): {Marshal.GetLastPInvokeErrorMessage()}");
        }

        // struct sockaddr_un: a 2-byte family, then the NUL-terminated path.
        var address = stackalloc byte[2 + MaxPath + 1];
        new Span<byte>(address, 2 + MaxPath + 1).Clear();
        *(ushort*)address = Libc.UnixDomain;
        bytes.CopyTo(new Span<byte>(address + 2, bytes.Length));
        if (Libc.Bind(descriptor, address, 2 + bytes.Length + 1) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            var message = Marshal.GetPInvokeErrorMessage(error);
            _ = Libc.Close(descriptor);
            // Kestrel turns AddressAlreadyInUse into its own "address in use" start failure, as for a TCP port.
            throw new SocketException((int)(error switch
            {
                Libc.AddressInUse => SocketError.AddressAlreadyInUse,
                Libc.AccessDenied => SocketError.AccessDenied,
                _ => SocketError.SocketError,
            }), $"bind {path}: {message}");
        }

        return new Socket(new SafeSocketHandle(descriptor, ownsHandle: true));
    }
}
