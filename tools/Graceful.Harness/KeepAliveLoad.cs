using System.Net.Sockets;

namespace Graceful.Harness;

/// <summary>
/// Busy keep-alive clients on raw sockets: each sends request after request on its connection, reconnecting when
/// the server answers <c>Connection: close</c>, until its connection is refused or the time is up. Every request is
/// classified: <c>Ok</c> (a 2xx response), <c>NonSuccess</c> (a complete response of another status), <c>Lost</c>
/// (sent on an open connection, answered by EOF or reset), or the connection was <c>Refused</c> before anything
/// was sent. With a <c>pause</c>, each client waits that long between requests (a paced, open-ended load); with
/// <c>pauseUpTo</c> longer than it, a random time between the two (short pauses of 1-5 ms, say). Pass
/// <c>counters</c> to read the totals while the load runs (e.g. to attribute failures to one event of many).
/// </summary>
public static class KeepAliveLoad
{
    public static async Task<LoadResult> RunAsync(Uri baseAddress, int clients, string path, TimeSpan duration,
        TimeSpan pause = default, bool stopWhenRefused = true, LoadCounters? counters = null, TimeSpan pauseUpTo = default,
        CancellationToken cancellationToken = default)
    {
        counters ??= new LoadCounters();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => RunClientAsync(baseAddress, path, pause, pauseUpTo, stopWhenRefused, counters, stop.Token)));
        return counters.Snapshot();
    }

    private static async Task RunClientAsync(Uri baseAddress, string path, TimeSpan pause, TimeSpan pauseUpTo, bool stopWhenRefused, LoadCounters counters,
        CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            RawHttpConnection connection;
            try
            {
                connection = await RawHttpConnection.ConnectAsync(baseAddress, stop);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                counters.AddRefused();
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
                            counters.AddNonSuccess();
                        }
                        else
                        {
                            counters.AddOk();
                        }

                        if (response.ConnectionClose)
                        {
                            break;
                        }

                        if (pauseUpTo > pause)
                        {
                            var next = pause + ((pauseUpTo - pause) * Random.Shared.NextDouble());
                            await Task.Delay(next, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                        }
                        else if (pause > TimeSpan.Zero)
                        {
                            await Task.Delay(pause, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                        }
                    }
                    catch (Exception e) when (e is SocketException or EndOfStreamException or IOException)
                    {
                        counters.AddLost();
                        break;
                    }
                }
            }
        }
    }
}

/// <summary>How the requests of a <see cref="KeepAliveLoad"/> run ended.</summary>
public sealed record LoadResult(int Ok, int Lost, int Refused, int NonSuccess = 0)
{
    /// <summary>Requests that did not get a 2xx answer: non-2xx, lost, or refused.</summary>
    public int Failed => Lost + Refused + NonSuccess;
}
