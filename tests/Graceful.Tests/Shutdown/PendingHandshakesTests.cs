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

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task AHeldHandshake_IsCountedOnItsPortOnly_ByNetlinkAndProcAlike_AndNoneOnceItCompletes(string address)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "inet_diag and /proc/net/tcp are Linux's.");
        var loopback = IPAddress.Parse(address);
        using var listener = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetRawSocketOption(TcpLevel, DeferAccept, BitConverter.GetBytes(30));
        listener.Bind(new IPEndPoint(loopback, 0));
        listener.Listen(8);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        int[] ports = [endpoint.Port];
        Assert.Equal((0, 0), Both(ports));

        // An established connection on the same port is not a handshake under way.
        using var established = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await established.ConnectAsync(endpoint);
        await established.SendAsync(Encoding.ASCII.GetBytes("a"));
        using var acceptedFirst = await listener.AcceptAsync().WaitAsync(Generous);

        using var held = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await held.ConnectAsync(endpoint);
        Assert.Equal((1, 1), Both(ports));
        Assert.Equal(1, PendingHandshakes.Count(ports));
        Assert.Equal((0, 0), Both([endpoint.Port + 1]));

        // Its data completes the handshake: accepted, it is no longer under way.
        await held.SendAsync(Encoding.ASCII.GetBytes("b"));
        using var acceptedHeld = await listener.AcceptAsync().WaitAsync(Generous);
        Assert.Equal((0, 0), Both(ports));
        Assert.Equal(0, PendingHandshakes.Count(ports));
    }

    // -1 where the kernel refused the dump: the test proves the netlink path, not the fallback.
    private static (int Netlink, int Proc) Both(int[] ports) => (PendingHandshakes.CountByNetlink(ports) ?? -1, PendingHandshakes.CountInProc(ports));
}
