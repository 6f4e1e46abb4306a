using System.Net;
using System.Net.Sockets;
using System.Text;
using Graceful.AspNetCore.Transport.Listeners;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// The socket filter the drain puts on a listening socket before closing it, on a real kernel: a new client's SYN is
/// dropped, so its connect never completes and is refused once the socket closes, while a connection already queued is
/// still accepted with what its client sent.
/// </summary>
public sealed class NewHandshakeFilterTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task AFilteredListener_CompletesNoNewHandshake_AcceptsWhatIsQueued_AndANewClientIsRefusedAtTheClose(string address)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Socket filters are Linux's.");
        var loopback = IPAddress.Parse(address);
        var listener = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(loopback, 0));
        listener.Listen(8);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        using var queued = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await queued.ConnectAsync(endpoint);
        await queued.SendAsync(Encoding.ASCII.GetBytes("request"));

        Assert.True(NewHandshakeFilter.TryAttach(listener));
        using var late = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        var connecting = late.ConnectAsync(endpoint);

        using (var accepted = await listener.AcceptAsync().WaitAsync(Generous))
        {
            var buffer = new byte[16];
            Assert.Equal("request", Encoding.ASCII.GetString(buffer, 0, await accepted.ReceiveAsync(buffer)));
        }

        // Unfiltered, the kernel completes a loopback connect at once; filtered, the SYN and its retransmission are dropped.
        Assert.NotSame(connecting, await Task.WhenAny(connecting, Task.Delay(TimeSpan.FromMilliseconds(500))));
        listener.Dispose();
        var refused = await Assert.ThrowsAsync<SocketException>(() => connecting.WaitAsync(Generous));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
