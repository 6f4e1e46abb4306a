using System.Net;
using System.Net.Sockets;
using Graceful.AspNetCore.Transport.Connections;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Graceful.Tests.Connections;

/// <summary>
/// How <see cref="SocketEnd"/> ends a connection, on real loopback sockets: an idle socket is closed in place (its
/// descriptor then points at /dev/null) and its client reads a FIN; one holding bytes the server never read gets a FIN
/// with the socket left open, since its close would reset it; one with bytes still on their way is left alone.
/// </summary>
public sealed class SocketEndTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public SocketEndTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
    }

    [Fact]
    public async Task AnIdleSocket_IsClosedInPlace_AndItsClientReadsAFin()
    {
        var (server, client) = await ConnectAsync();
        using (client)
        {
            // An earlier response, read and acknowledged.
            server.Send("pong"u8);
            await ReadExactlyAsync(client, 4);
            var descriptor = Descriptor(server);

            // Loopback acknowledges within microseconds; until then the send queue holds the bytes and TryFinish declines.
            await Poll.UntilAsync(() => SocketEnd.TryFinish(server), Generous);

            Assert.Equal("/dev/null", Target(descriptor));
            Assert.Equal(0, await ReceiveAsync(client));
            server.Dispose();
        }
    }

    [Fact]
    public async Task ASocketWithBytesNeverRead_GetsAFin_AndStaysOpen_NotReset()
    {
        var (server, client) = await ConnectAsync();
        using (server)
        using (client)
        {
            // A request that came after Kestrel stopped reading: closing the socket would reset the connection.
            client.Send("GET / HTTP/1.1\r\n\r\n"u8);
            await Poll.UntilAsync(() => server.Available > 0, Generous);
            var descriptor = Descriptor(server);

            Assert.True(SocketEnd.TryFinish(server));

            Assert.StartsWith("socket:", Target(descriptor));
            Assert.Equal(0, await ReceiveAsync(client));
        }
    }

    [Fact]
    public async Task ASocketWithBytesNotYetAcknowledged_IsLeftToTheTransport()
    {
        var (server, client) = await ConnectAsync();
        using (server)
        using (client)
        {
            // A client that does not read: the server's bytes wait in its send queue.
            client.ReceiveBufferSize = 4096;
            server.SendBufferSize = 4096;
            server.Blocking = false;
            var chunk = new byte[4096];
            while (server.Send(chunk, SocketFlags.None, out var error) > 0 && error == SocketError.Success)
            {
            }

            Assert.False(SocketEnd.TryFinish(server));

            // Nothing was done: the socket is open and not shut for sending (a send would then fail with EPIPE).
            server.Send(chunk, SocketFlags.None, out var after);
            Assert.True(after is SocketError.WouldBlock or SocketError.Success, $"send after: {after}");
            Assert.StartsWith("socket:", Target(Descriptor(server)));
        }
    }

    [Fact]
    public async Task ThePlaintextSocket_IsTheOneToEndAt_AndATlsConnectionHasNone()
    {
        var (server, client) = await ConnectAsync();
        using (server)
        using (client)
        {
            var plaintext = Transport(server);
            var tls = Transport(server);
            // Only its presence counts.
            tls.Features[typeof(ITlsHandshakeFeature)] = new object();

            Assert.Same(server, SocketEnd.SocketOf(plaintext));
            Assert.Null(SocketEnd.SocketOf(tls));
            Assert.Null(SocketEnd.SocketOf(new DefaultConnectionContext()));
        }
    }

    public void Dispose() => _listener.Dispose();

    private async Task<(Socket Server, Socket Client)> ConnectAsync()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepting = _listener.AcceptAsync(TestContext.Current.CancellationToken);
        await client.ConnectAsync(_listener.LocalEndPoint!, TestContext.Current.CancellationToken);
        return (await accepting, client);
    }

    private static DefaultConnectionContext Transport(Socket socket)
    {
        var transport = new DefaultConnectionContext();
        transport.Features.Set<IConnectionSocketFeature>(new SocketFeature(socket));
        return transport;
    }

    private static string Descriptor(Socket socket) => $"/proc/self/fd/{socket.SafeHandle.DangerousGetHandle()}";

    private static string? Target(string descriptor) => new FileInfo(descriptor).LinkTarget;

    // 0 for a FIN; a reset throws.
    private static async Task<int> ReceiveAsync(Socket client)
    {
        var buffer = new byte[64];
        return await client.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken).AsTask().WaitAsync(Generous);
    }

    private static async Task ReadExactlyAsync(Socket client, int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            read += await client.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, TestContext.Current.CancellationToken);
        }
    }

    private sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
    {
        public Socket Socket => socket;
    }
}
