using System.Net.Sockets;

namespace Graceful.Harness;

/// <summary>
/// Busy keep-alive clients on raw sockets: each sends request after request on its connection, reconnecting when
/// the server answers <c>Connection: close</c>, until its connection is refused or the time is up. Every request is
/// classified: <c>Ok</c> (a 2xx response), <c>NonSuccess</c> (a complete response of another status), <c>Lost</c>
/// (sent on an open connection, answered by EOF or reset), or the connection was <c>Refused</c> before anything
/// was sent. With a <c>pause</c>, each client waits that long between requests (a paced, open-ended load).
/// </summary>
public static class KeepAliveLoad
{
    public static async Task<LoadResult> RunAsync(Uri baseAddress, int clients, string path, TimeSpan duration,
        TimeSpan pause = default, bool stopWhenRefused = true, CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => RunClientAsync(baseAddress, path, pause, stopWhenRefused, stop.Token)));
        return results.Aggregate(new LoadResult(0, 0, 0),
            (a, b) => new LoadResult(a.Ok + b.Ok, a.Lost + b.Lost, a.Refused + b.Refused, a.NonSuccess + b.NonSuccess));
    }

    private static async Task<LoadResult> RunClientAsync(Uri baseAddress, string path, TimeSpan pause, bool stopWhenRefused, CancellationToken stop)
    {
        int ok = 0, lost = 0, refused = 0, nonSuccess = 0;
        while (!stop.IsCancellationRequested)
        {
            RawHttpConnection connection;
            try
            {
                connection = await RawHttpConnection.ConnectAsync(baseAddress, stop);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                refused++;
                if (stopWhenRefused)
                {
                    break;
                }

                continue;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            using (connection)
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await connection.SendGetAsync(path);
                        var response = await connection.ReadResponseAsync(CancellationToken.None);
                        if (response.StatusCode is < 200 or > 299)
                        {
                            nonSuccess++;
                        }
                        else
                        {
                            ok++;
                        }

                        if (response.ConnectionClose)
                        {
                            break;
                        }

                        if (pause > TimeSpan.Zero)
                        {
                            await Task.Delay(pause, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                        }
                    }
                    catch (Exception e) when (e is SocketException or EndOfStreamException or IOException)
                    {
                        lost++;
                        break;
                    }
                }
            }
        }

        return new LoadResult(ok, lost, refused, nonSuccess);
    }
}

/// <summary>How the requests of a <see cref="KeepAliveLoad"/> run ended.</summary>
public sealed record LoadResult(int Ok, int Lost, int Refused, int NonSuccess = 0)
{
    /// <summary>Requests that did not get a 2xx answer: non-2xx, lost, or refused.</summary>
    public int Failed => Lost + Refused + NonSuccess;
}
