using System.Net.Sockets;
using Graceful.Drill.Recording;
using Graceful.Harness;

namespace Graceful.Drill.Load;

/// <summary>
/// HTTP/1.1 on a raw socket, so that a request written on an open connection and answered by EOF or a reset is seen
/// as exactly that (an HTTP client library would retry or hide it). With keep-alive the connection is reused until
/// the server says <c>Connection: close</c> or drops it; an idle connection the server has visibly closed is replaced
/// before sending, as careful clients do. Without keep-alive every request gets a new connection.
/// </summary>
public sealed class Http1Sender(Uri baseAddress, bool keepAlive) : IRequestSender
{
    private readonly string _host = baseAddress.Authority;
    private RawHttpConnection? _connection;

    public Task<SendResult> SendAsync(RequestSpec request, CancellationToken timeout) => SendAsync(request, split: null, timeout);

    /// <summary>
    /// Sends the request in two writes when <paramref name="split"/> is given: its first <see cref="SplitSend.At"/>
    /// bytes, then, once <see cref="SplitSend.Pause"/> completes, the rest (a request caught mid-headers or mid-body).
    /// </summary>
    public async Task<SendResult> SendAsync(RequestSpec request, SplitSend? split, CancellationToken timeout)
    {
        if (_connection is { ClosedWhileIdle: true })
        {
            Close();
        }

        if (_connection is null)
        {
            try
            {
                _connection = await RawHttpConnection.ConnectAsync(baseAddress, timeout);
            }
            catch (OperationCanceledException)
            {
                return new SendResult(Outcome.TimedOut, Error: "connect timed out");
            }
            catch (SocketException e)
            {
                // Nothing was sent: refused (or reset during the handshake, as a full backlog does) is safe to retry.
                return new SendResult(Outcome.Refused, Error: e.SocketErrorCode.ToString());
            }
        }

        try
        {
            var bytes = request.ToHttp1(_host, keepAlive);
            if (split is { } s)
            {
                await _connection.SendAsync(bytes[..s.At]);
                await s.Pause();
                await _connection.SendAsync(bytes[s.At..]);
            }
            else
            {
                await _connection.SendAsync(bytes);
            }

            var response = await _connection.ReadResponseAsync(timeout);
            if (!keepAlive || response.ConnectionClose)
            {
                Close();
            }

            return new SendResult(response.StatusCode is >= 200 and <= 299 ? Outcome.Ok : Outcome.NonSuccess, response.StatusCode,
                RetryAfter: response.Headers.GetValueOrDefault("Retry-After"));
        }
        catch (OperationCanceledException)
        {
            Close();
            return new SendResult(Outcome.TimedOut, Error: "no response within the timeout");
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException or IOException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            Close();
            return new SendResult(Outcome.Lost, Error: e is SocketException s ? s.SocketErrorCode.ToString() : e.GetType().Name);
        }
    }

    public void Dispose() => Close();

    private void Close()
    {
        _connection?.Dispose();
        _connection = null;
    }
}

/// <summary>Where to cut a request in two writes, and what to wait for between them.</summary>
public readonly record struct SplitSend(int At, Func<Task> Pause);
