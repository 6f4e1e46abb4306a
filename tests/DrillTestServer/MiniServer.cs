using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace DrillTestServer;

/// <summary>
/// HTTP/1.1 keep-alive on raw sockets with just what the tests need: request heads and Content-Length bodies, a few
/// fixed routes (or 404 for everything with <paramref name="notFound"/>), and three ways to stop (reset everything,
/// drain with <c>Connection: close</c>, stop accepting). With <paramref name="rejectDuringDrain"/> the drain answers
/// each connection's next request 503 with <c>Retry-After</c>, as Graceful's <c>RejectDuringDrainRetryAfter</c> does.
/// </summary>
internal sealed class MiniServer(Socket listener, bool notFound = false, bool rejectDuringDrain = false)
{
    private readonly ConcurrentDictionary<Socket, bool> _connections = new();
    private volatile bool _draining;

    public void Start() => _ = AcceptLoopAsync();

    public void StopAccepting() => listener.Dispose();

    /// <summary>Aborts every connection with a reset (SO_LINGER 0), whatever it was doing.</summary>
    public void ResetAll()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.LingerState = new LingerOption(true, 0);
            connection.Dispose();
        }
    }

    /// <summary>
    /// Stops accepting, answers each connection's next request with <c>Connection: close</c>, and returns once every
    /// connection has closed (or after 3 s).
    /// </summary>
    public async Task DrainAsync()
    {
        _draining = true;
        StopAccepting();
        for (var waited = 0; !_connections.IsEmpty && waited < 3000; waited += 10)
        {
            await Task.Delay(10);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return;
            }

            _connections[connection] = true;
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                int headEnd;
                while ((headEnd = IndexOfHeadEnd(buffer, filled)) < 0)
                {
                    var read = await connection.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                }

                var head = Encoding.ASCII.GetString(buffer, 0, headEnd);
                var bodyLength = ContentLength(head);
                var consumed = headEnd + 4 + bodyLength;
                while (filled < consumed)
                {
                    filled += await connection.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                }

                Array.Copy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;

                var path = head.Split(' ')[1];
                var (status, body) = (notFound, path, _draining && rejectDuringDrain) switch
                {
                    (_, _, true) => (503, "draining"),
                    (true, _, _) => (404, "not found"),
                    (_, "/ping", _) => (200, "pong"),
                    (_, "/slow", _) => (200, await SlowAsync()),
                    (_, "/hang", _) => (0, await HangAsync()),
                    (_, "/pid", _) => (200, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    (_, "/unavailable", _) => (503, "unavailable"),
                    _ => (404, "not found"),
                };
                var close = _draining || head.Contains("Connection: close", StringComparison.OrdinalIgnoreCase);
                var reason = status switch { 200 => "OK", 503 => "Service Unavailable", _ => "Not Found" };
                var retryAfter = status == 503 ? "Retry-After: 1\r\n" : "";
                var response = $"HTTP/1.1 {status} {reason}\r\nContent-Length: {body.Length}\r\n{retryAfter}{(close ? "Connection: close\r\n" : "")}\r\n{body}";
                await connection.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None);
                if (close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by the client or by ResetAll.
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Dispose();
        }
    }

    private static async Task<string> SlowAsync()
    {
        await Task.Delay(300);
        return "slow";
    }

    private static async Task<string> HangAsync()
    {
        await Task.Delay(Timeout.Infinite);
        return "";
    }

    private static int IndexOfHeadEnd(byte[] buffer, int filled) => buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
