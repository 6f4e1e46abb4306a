using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Graceful.TestSupport;

/// <summary>
/// HTTP/2 with prior knowledge on a raw socket, frame by frame, for tests that must see GOAWAY and stream ends.
/// Requests are GETs encoded with HPACK static-table entries and literals; SETTINGS are acknowledged as they come.
/// </summary>
public sealed class Http2RawConnection : IDisposable
{
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    private readonly NetworkStream _stream;

    private Http2RawConnection(Socket socket) => _stream = new NetworkStream(socket, ownsSocket: true);

    public static async Task<Http2RawConnection> ConnectAsync(Uri baseAddress)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(baseAddress.Host), baseAddress.Port));
        var connection = new Http2RawConnection(socket);
        await connection._stream.WriteAsync(Preface);
        await connection.WriteFrameAsync(Http2Frame.Settings, 0, 0, []);
        return connection;
    }

    /// <summary>Opens stream <paramref name="streamId"/> (odd, increasing) with GET <paramref name="path"/>.</summary>
    public Task SendGetAsync(int streamId, string path)
    {
        var block = new List<byte> { 0x82, 0x86 }; // :method GET, :scheme http (static table 2 and 6)
        AddLiteral(block, 4, path);                // :path, literal without indexing
        AddLiteral(block, 1, "test");              // :authority
        return WriteFrameAsync(Http2Frame.Headers, Http2Frame.EndStream | Http2Frame.EndHeaders, streamId, [.. block]);
    }

    /// <summary>Gives the server back <paramref name="bytes"/> of the connection's flow-control window (stream 0).</summary>
    public Task SendWindowUpdateAsync(int bytes)
    {
        var increment = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(increment, (uint)bytes);
        return WriteFrameAsync(Http2Frame.WindowUpdate, 0, 0, increment);
    }

    /// <summary>Sends a PING, as <c>HttpClient</c> does after a response's data (its RTT estimate): a frame that wakes the server's read loop.</summary>
    public Task SendPingAsync() => WriteFrameAsync(Http2Frame.Ping, 0, 0, new byte[8]);

    /// <summary>Reads the next frame, acknowledging SETTINGS on the way.</summary>
    public async Task<Http2Frame> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = new byte[9];
        await _stream.ReadExactlyAsync(header, cancellationToken);
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var frame = new Http2Frame(header[3], header[4], (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF), new byte[length]);
        await _stream.ReadExactlyAsync(frame.Payload, cancellationToken);
        if (frame.Type == Http2Frame.Settings && (frame.Flags & Http2Frame.Ack) == 0)
        {
            await WriteFrameAsync(Http2Frame.Settings, Http2Frame.Ack, 0, []);
        }

        return frame;
    }

    public void Dispose() => _stream.Dispose();

    private static void AddLiteral(List<byte> block, byte nameIndex, string value)
    {
        block.Add(nameIndex);
        block.Add((byte)value.Length);
        block.AddRange(Encoding.ASCII.GetBytes(value));
    }

    private async Task WriteFrameAsync(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)streamId);
        payload.CopyTo(frame, 9);
        await _stream.WriteAsync(frame);
    }
}

/// <summary>One HTTP/2 frame as read off the wire.</summary>
public sealed record Http2Frame(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte Ping = 0x6;
    public const byte GoAway = 0x7;
    public const byte WindowUpdate = 0x8;
    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;

    public bool IsEndStream => (Type is Data or Headers) && (Flags & EndStream) != 0;

    /// <summary>For GOAWAY: the last stream the server will process.</summary>
    public int LastStreamId => (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFFFFFF);

    /// <summary>For GOAWAY: the error code (0 is NO_ERROR, a graceful close); for RST_STREAM, the stream's.</summary>
    public uint ErrorCode => BinaryPrimitives.ReadUInt32BigEndian(Type == RstStream ? Payload : Payload.AsSpan(4));
}
