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
        using var listener = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetRawSocketOption(TcpLevel, DeferAccept, BitConverter.GetBytes(30));
        listener.Bind(new IPEndPoint(loopback, 0));
        listener.Listen(2 * Held);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        int[] ports = [endpoint.Port];
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
            Assert.Equal((0, 0), Both([endpoint.Port + 1]));

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

    // -1 where the kernel refused the dump: the test proves the netlink path, not the fallback.
    private static (int Netlink, int Proc) Both(int[] ports) => (PendingHandshakes.CountByNetlink(ports) ?? -1, PendingHandshakes.CountInProc(ports));
}
