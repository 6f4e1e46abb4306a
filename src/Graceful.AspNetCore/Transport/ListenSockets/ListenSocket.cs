using System.Net.Sockets;

namespace Graceful.AspNetCore.Transport.ListenSockets;

/// <summary>A listening socket Kestrel asked for: the endpoint as configured, its key for a successor, the socket.</summary>
internal sealed record ListenSocket(string Endpoint, string Key, Socket Socket)
{
    public bool IsOpen => !Socket.SafeHandle.IsClosed;
}
