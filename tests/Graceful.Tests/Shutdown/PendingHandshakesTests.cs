using System.Net;
using System.Net.Sockets;
using System.Text;
using Graceful.AspNetCore.Transport.Listeners;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// The handshakes under way on a listening port, counted on a real kernel by the inet_diag dump and by the /proc tables
/// it replaces, which must agree. A listener with <c>TCP_DEFER_ACCEPT</c> holds a handshake in SYN_RECV after its client's
/// final ACK (the client believes it is connected) until the client's data comes: the same request socket the kernel
/// keeps when that ACK finds the accept queue full.
/// </summary>
public sealed class PendingHandshakesTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private const int TcpLevel = 6; // IPPROTO_TCP
    private const int DeferAccept = 9; // TCP_DEFER_ACCEPT

    // More than the kernel puts in the dump's first message (some 40 sockets in a page): the dump comes in parts.
    private const int Held = 100;

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task HeldHandshakes_AreCountedOnTheirPortOnly_ByNetlinkAndProcAlike_AndNoneOnceTheyComplete(string address)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "inet_diag and /proc/net/tcp are Linux's.");
        var loopback = IPAddress.Parse(address);
        // The count matches ports in both families; the same port number bound in the other family by a test running
        // beside this one (its handshakes) would be counted too. So the port is held in the other family as well: a port
        // free in both is ours alone.
        var (listener, otherFamily) = ListenOnAPortFreeInBothFamilies(loopback);
        using var _ = listener;
        using var __ = otherFamily;
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        IPEndPoint[] ports = [endpoint];
        // The same port number in the other family: a listener there would have its own handshakes, not these.
        IPEndPoint[] samePortOtherFamily = [(IPEndPoint)otherFamily.LocalEndPoint!];
        Assert.Equal((0, 0), Both(ports));

        // An established connection on the same port is not a handshake under way.
        using var established = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await established.ConnectAsync(endpoint);
        await established.SendAsync(Encoding.ASCII.GetBytes("a"));
        using var acceptedFirst = await listener.AcceptAsync().WaitAsync(Generous);

        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < Held; i++)
            {
                held.Add(new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
                await held[i].ConnectAsync(endpoint);
            }

            Assert.Equal((Held, Held), Both(ports));
            Assert.Equal(Held, PendingHandshakes.Count(ports));
            Assert.Equal((0, 0), Both(samePortOtherFamily));
            var (quiet, quietOtherFamily) = ListenOnAPortFreeInBothFamilies(loopback);
            using (quiet)
            using (quietOtherFamily)
            {
                Assert.Equal((0, 0), Both([(IPEndPoint)quiet.LocalEndPoint!]));
            }

            // Their data completes the handshakes: accepted, none is under way any more.
            foreach (var client in held)
            {
                await client.SendAsync(Encoding.ASCII.GetBytes("b"));
                (await listener.AcceptAsync().WaitAsync(Generous)).Dispose();
            }

            Assert.Equal((0, 0), Both(ports));
            Assert.Equal(0, PendingHandshakes.Count(ports));
        }
        finally
        {
            held.ForEach(client => client.Dispose());
        }
    }

    [Fact]
    public async Task AnIPv4ClientsHandshakeOnADualStackListener_IsCountedUnderTheListenersIPv6Endpoint()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "inet_diag and /proc/net/tcp are Linux's.");
        Assert.SkipUnless(Socket.OSSupportsIPv6, "No IPv6 here.");
        // Dual-stack: the port is bound in both families, so no other test's handshakes share it.
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.SetRawSocketOption(TcpLevel, DeferAccept, BitConverter.GetBytes(30));
        listener.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        listener.Listen(16);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, endpoint.Port));

        Assert.Equal((1, 1), Both([endpoint]));
        Assert.Equal((0, 0), Both([new IPEndPoint(IPAddress.Any, endpoint.Port)]));
    }

    private static (Socket Listener, Socket OtherFamily) ListenOnAPortFreeInBothFamilies(IPAddress loopback)
    {
        var other = loopback.AddressFamily == AddressFamily.InterNetwork ? IPAddress.IPv6Any : IPAddress.Any;
        for (var attempt = 1; ; attempt++)
        {
            var listener = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.SetRawSocketOption(TcpLevel, DeferAccept, BitConverter.GetBytes(30));
            listener.Bind(new IPEndPoint(loopback, 0));
            listener.Listen(2 * Held);
            var holder = new Socket(other.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (other.AddressFamily == AddressFamily.InterNetworkV6)
            {
                holder.DualMode = false;
            }

            try
            {
                holder.Bind(new IPEndPoint(other, ((IPEndPoint)listener.LocalEndPoint!).Port));
                return (listener, holder);
            }
            catch (SocketException) when (attempt < 20)
            {
                // The number is in use in the other family (a client's ephemeral port): take another.
                holder.Dispose();
                listener.Dispose();
            }
        }
    }

    // -1 where the kernel refused the dump: the test proves the netlink path, not the fallback.
    private static (int Netlink, int Proc) Both(IPEndPoint[] ports) => (PendingHandshakes.CountByNetlink(ports) ?? -1, PendingHandshakes.CountInProc(ports));
}
