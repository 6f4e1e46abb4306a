using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Transport.ListenSockets;

/// <summary>
/// Sits in Kestrel's socket transport where listening sockets are created, so that a successor can be handed the
/// very sockets this process listens on, and a successor listens on the ones it inherited instead of binding anew.
/// Each socket is keyed by the endpoint Kestrel asked for (as configured, so <c>127.0.0.1:0</c> matches across the
/// two processes), numbered when the same endpoint is asked for twice. Everything else (TLS, protocols) stays the
/// successor's own configuration; only the sockets are shared.
/// </summary>
internal sealed class ListenSocketBroker(InheritedSockets inherited) : IPostConfigureOptions<SocketTransportOptions>
{
    private readonly Lock _gate = new();
    // A class, not a value tuple: the stop walks this list, and generic code over a value tuple would be compiled for
    // it at the first stop (ReadyToRun has only the shared code for reference types).
    private readonly List<ListenSocket> _sockets = [];
    private readonly List<string> _unixSocketFiles = [];
    private int _lent;

    public void PostConfigure(string? name, SocketTransportOptions options)
    {
        var create = options.CreateBoundListenSocket;
        options.CreateBoundListenSocket = endpoint =>
        {
            lock (_gate)
            {
                var (endpointName, key) = KeyFor(endpoint);
                // A Unix socket with a file (not an abstract one) gets a file this process owns: see UnixListenSocket.
                var unixFile = endpoint is UnixDomainSocketEndPoint && endpointName.Length > 0 && endpointName[0] is not ('@' or '\0');
                var socket = key != InheritedSockets.HandleKey && inherited.TryClaim(key, out var descriptor)
                    ? new Socket(new SafeSocketHandle(descriptor, ownsHandle: true))
                    : unixFile ? UnixListenSocket.Bind(endpointName) : create(endpoint);
                if (unixFile)
                {
                    _unixSocketFiles.Add(endpointName);
                }

                _sockets.Add(new ListenSocket(endpointName, key, socket));
                return socket;
            }
        };
    }

    /// <summary>
    /// Removes the files of the Unix sockets this process listened on, once they are closed by a shutdown that did
    /// not hand them to a successor (which then owns them, and removes them at its own shutdown).
    /// </summary>
    public void RemoveUnixSocketFiles()
    {
        lock (_gate)
        {
            foreach (var path in _unixSocketFiles)
            {
                File.Delete(path);
            }

            _unixSocketFiles.Clear();
        }
    }

    /// <summary>
    /// Marks the sockets as shared with a successor being started, until <see cref="Return"/> says it is gone: what is
    /// done to a shared socket (a filter) is done to the successor's too.
    /// </summary>
    public void Lend() => Interlocked.Increment(ref _lent);

    /// <summary>The successor a <see cref="Lend"/> was for has exited: the sockets are this process's alone again.</summary>
    public void Return() => Interlocked.Decrement(ref _lent);

    /// <summary>
    /// Of <paramref name="open"/> (<see cref="OpenSockets"/>), the TCP sockets no other process listens on: not while a
    /// successor holds them, nor a socket given as a handle (systemd's, which outlives this process, or the application's
    /// own), nor a Unix socket.
    /// </summary>
    public List<ListenSocket> ExclusiveTcpSockets(List<ListenSocket> open)
    {
        if (Volatile.Read(ref _lent) > 0)
        {
            return [];
        }

        var exclusive = new List<ListenSocket>(open.Count);
        foreach (var socket in open)
        {
            if (socket.Key != InheritedSockets.HandleKey && socket.Socket.ProtocolType == ProtocolType.Tcp)
            {
                exclusive.Add(socket);
            }
        }

        return exclusive;
    }

    /// <summary>The listening sockets still open, with their keys, to pass to a successor or to drain.</summary>
    public List<ListenSocket> OpenSockets()
    {
        // A plain loop: it runs at the stop, where each LINQ instantiation is compiled on first use.
        lock (_gate)
        {
            var open = new List<ListenSocket>(_sockets.Count);
            foreach (var socket in _sockets)
            {
                if (socket.IsOpen)
                {
                    open.Add(socket);
                }
            }

            return open;
        }
    }

    // The n-th open socket for the same endpoint gets "#n": a rebind after a configuration reload, which closed
    // the old socket first, keeps the plain key the successor will ask for.
    private (string Endpoint, string Key) KeyFor(EndPoint endpoint)
    {
        if (endpoint is FileHandleEndPoint)
        {
            return (InheritedSockets.HandleKey, InheritedSockets.HandleKey);
        }

        var name = endpoint.ToString() ?? endpoint.GetType().Name;
        var open = _sockets.Count(s => s.Endpoint == name && s.IsOpen);
        return (name, open == 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}#{open + 1}"));
    }
}
