using System.Net;
using System.Net.Sockets;

namespace Graceful.Harness;

/// <summary>Loopback ports for programs that must be told their port up front (HAProxy, socket activation).</summary>
public static class FreePorts
{
    /// <summary>A port the kernel just handed out and released; another process could take it first, rarely.</summary>
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
