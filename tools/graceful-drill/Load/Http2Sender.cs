using System.Net;
using System.Net.Sockets;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Load;

/// <summary>
/// HTTP/2 with prior knowledge (h2c) through <see cref="HttpClient"/>: with keep-alive all workers share one client and
/// its multiplexed connection; without, each request gets a client and a connection of its own. A failure to connect
/// is <see cref="Outcome.Refused"/>; any other failure after the request left is <see cref="Outcome.Lost"/> (requests
/// the server never started, as a GOAWAY tells, are retried by the client itself and do not show up here).
/// </summary>
public sealed class Http2Sender(Uri baseAddress, HttpClient? shared) : IRequestSender
{
    public static HttpClient CreateClient(TimeSpan connectTimeout) =>
        new(new SocketsHttpHandler { ConnectTimeout = connectTimeout, AllowAutoRedirect = false, UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

    public async Task<SendResult> SendAsync(RequestSpec request, CancellationToken timeout)
    {
        var client = shared ?? CreateClient(Timeout.InfiniteTimeSpan);
        try
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(baseAddress, request.Path))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = request.Body is null ? null : new StringContent(request.Body),
            };
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout);
            var status = (int)response.StatusCode;
            return new SendResult(status is >= 200 and <= 299 ? Outcome.Ok : Outcome.NonSuccess, status, RetryAfter: response.Headers.RetryAfter?.ToString());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new SendResult(Outcome.TimedOut, Error: "no response within the timeout");
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return new SendResult(Outcome.Refused, Error: e.HttpRequestError.ToString());
        }
        catch (HttpRequestException e)
        {
            // The innermost message says what happened on the connection ("Unknown" alone does not).
            return new SendResult(Outcome.Lost, Error: $"{e.HttpRequestError}: {e.GetBaseException().Message}");
        }
        finally
        {
            if (shared is null)
            {
                client.Dispose();
            }
        }
    }

    public void Dispose()
    {
        // The shared client belongs to the load runner.
    }
}
