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
    private readonly List<(string Endpoint, string Key, Socket Socket)> _sockets = [];
    private readonly List<string> _unixSocketFiles = [];

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

                _sockets.Add((endpointName, key, socket));
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

    /// <summary>The listening sockets still open, with their keys, to pass to a successor.</summary>
    public IReadOnlyList<(string Key, Socket Socket)> OpenSockets()
    {
        lock (_gate)
        {
            return [.. _sockets.Where(IsOpen).Select(s => (s.Key, s.Socket))];
        }
    }

    private static bool IsOpen((string, string, Socket Socket) entry) => !entry.Socket.SafeHandle.IsClosed;

    // The n-th open socket for the same endpoint gets "#n": a rebind after a configuration reload, which closed
    // the old socket first, keeps the plain key the successor will ask for.
    private (string Endpoint, string Key) KeyFor(EndPoint endpoint)
    {
        if (endpoint is FileHandleEndPoint)
        {
            return (InheritedSockets.HandleKey, InheritedSockets.HandleKey);
        }

        var name = endpoint.ToString() ?? endpoint.GetType().Name;
        var open = _sockets.Count(s => s.Endpoint == name && IsOpen(s));
        return (name, open == 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}#{open + 1}"));
    }
}
