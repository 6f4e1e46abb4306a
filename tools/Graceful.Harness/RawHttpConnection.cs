using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Graceful.Harness;

/// <summary>An HTTP/1.1 client on a raw socket, for tests where the protocol detail matters (keep-alive, EOF, resets).</summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static async Task<RawHttpConnection> ConnectAsync(Uri baseAddress, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(baseAddress.Host), baseAddress.Port), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RawHttpConnection(socket);
    }

    /// <summary>This client's end of the connection (its port tells the server's socket for it apart).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public Task SendAsync(string text) => _socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    public Task SendAsync(byte[] bytes) => _socket.SendAsync(bytes, SocketFlags.None);

    public Task SendGetAsync(string path, string? extraHeaders = null) =>
        SendAsync($"GET {path} HTTP/1.1\r\nHost: test\r\n{extraHeaders}\r\n");

    /// <summary>Reads one response; throws <see cref="EndOfStreamException"/> when the server closes first.</summary>
    public async Task<RawHttpResponse> ReadResponseAsync(CancellationToken cancellationToken = default)
    {
        var statusLine = await ReadLineAsync(cancellationToken);
        var parts = statusLine.Split(' ', 3);
        var status = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = await ReadLineAsync(cancellationToken); line.Length > 0; line = await ReadLineAsync(cancellationToken))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = new StringBuilder();
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var size = Convert.ToInt32((await ReadLineAsync(cancellationToken)).Split(';')[0], 16);
                if (size == 0)
                {
                    await ReadLineAsync(cancellationToken);
                    break;
                }

                body.Append(Encoding.UTF8.GetString(await ReadBytesAsync(size, cancellationToken)));
                await ReadLineAsync(cancellationToken);
            }
        }
        else if (headers.TryGetValue("Content-Length", out var length))
        {
            body.Append(Encoding.UTF8.GetString(await ReadBytesAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture), cancellationToken)));
        }

        return new RawHttpResponse(status, headers, body.ToString());
    }

    /// <summary>True when the server has closed the connection (EOF or reset) within <paramref name="timeout"/>.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await FillAsync(cts.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// How the server ended this connection, read within <paramref name="timeout"/>: <see cref="ServerClose.Fin"/> for an
    /// orderly close (EOF), <see cref="ServerClose.Reset"/> for a reset, <see cref="ServerClose.StillOpen"/> if neither
    /// came; a response or other bytes before the end are <see cref="ServerClose.SentData"/>.
    /// </summary>
    public async Task<ServerClose> ServerCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return _start != _end || await FillAsync(cts.Token) != 0 ? ServerClose.SentData : ServerClose.Fin;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return ServerClose.Reset;
        }
        catch (OperationCanceledException)
        {
            return ServerClose.StillOpen;
        }
    }

    /// <summary>
    /// True when the server has already closed this idle connection (its EOF or reset is waiting to be read): a client
    /// that checks this before reusing a connection sends nothing into a close it could have seen.
    /// </summary>
    public bool ClosedWhileIdle => _start == _end && _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;

    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// Closes this end with a reset (SO_LINGER 0) instead of a FIN. Against a server that has already closed its end, it
    /// leaves no TIME_WAIT socket behind on either side.
    /// </summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Dispose();
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            if (await FillAsync(cancellationToken) == 0)
            {
                throw new EndOfStreamException("The server closed the connection before a full response.");
            }
        }
    }

    private async Task<byte[]> ReadBytesAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_start == _end && await FillAsync(cancellationToken) == 0)
            {
                throw new EndOfStreamException("The server closed the connection in the middle of a body.");
            }

            var n = Math.Min(count - copied, _end - _start);
            Array.Copy(_buffer, _start, result, copied, n);
            _start += n;
            copied += n;
        }

        return result;
    }

    private async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += read;
        return read;
    }
}

/// <summary>A response as read off the wire.</summary>
/// <summary>How a server ended a connection, as its client sees it (<see cref="RawHttpConnection.ServerCloseAsync"/>).</summary>
public enum ServerClose
{
    Fin,
    Reset,
    StillOpen,
    SentData,
}

public sealed record RawHttpResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public bool ConnectionClose => Headers.TryGetValue("Connection", out var value) && value.Contains("close", StringComparison.OrdinalIgnoreCase);
}
