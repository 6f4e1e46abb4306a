using System.Diagnostics;
using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// Connections that have no complete request when the drain starts. Kestrel's close ends one that has sent nothing,
/// but one part-way through its request line or headers is left to Kestrel's request-headers timeout (30 s): a client
/// trickling its headers held an unbounded drain that long. Graceful:DrainReadHeaderTimeout bounds it.
/// </summary>
public sealed class IncompleteRequestTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TricklingAndSilentClients_AreClosedWithinTheBound_WhileAClientCompletingInTimeIsAnswered()
    {
        using var report = new ReportFile();
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string>(report.Environment)
        {
            ["Graceful__DrainReadHeaderTimeout"] = "2s",
        });
        using var slow = await service.StartRequestUntilDrainingAsync();
        using var trickler = await RawHttpConnection.ConnectAsync(service.BaseAddress);
        await trickler.SendAsync("GET /ping HTTP/1.1\r\nHost: test\r\n");
        using var silent = await RawHttpConnection.ConnectAsync(service.BaseAddress);
        using var inTime = await RawHttpConnection.ConnectAsync(service.BaseAddress);
        await inTime.SendAsync("GET /ping HTTP/1.1\r\n");
        // Kestrel accepts in order from one queue: once a later connection is answered, these three are accepted, so
        // the test does not depend on how fast a loaded machine empties the accept queue before the drain closes it.
        using (var probe = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous })
        {
            Assert.Equal("pong", await probe.GetStringAsync("/ping"));
        }

        using var stopTrickling = new CancellationTokenSource();
        var trickling = TrickleAsync(trickler, stopTrickling.Token);

        var signalledAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(ClosedIdle, Generous);

        // Completes its headers after the drain started, well within the bound: answered, and told to go away.
        await inTime.SendAsync("Host: test\r\n\r\n");
        var answered = await inTime.ReadResponseAsync();
        Assert.Equal(200, answered.StatusCode);
        Assert.Equal("close", answered.Headers["Connection"]);
        Assert.Equal(200, (await slow.ReadResponseAsync()).StatusCode);
        var lastResponseAt = Stopwatch.GetTimestamp();

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        await stopTrickling.CancelAsync();
        await trickling;
        // Kestrel's own bound would be 30 s from the trickler's first byte; the drain's is 2 s from its start.
        Assert.True(Stopwatch.GetElapsedTime(signalledAt, service.ExitedAt) < TimeSpan.FromSeconds(15),
            $"exit {Stopwatch.GetElapsedTime(signalledAt, service.ExitedAt)} after the signal");
        Assert.True(Stopwatch.GetElapsedTime(lastResponseAt, service.ExitedAt) < TimeSpan.FromSeconds(12),
            $"exit {Stopwatch.GetElapsedTime(lastResponseAt, service.ExitedAt)} after the last response");
        Assert.True(await trickler.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await silent.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));

        var closed = Assert.Single(service.Events(ClosedWithoutRequest));
        Assert.Equal(("2.00s", 1), (closed["Bound"], closed.Number("Count")));
        var exit = report.Read();
        Assert.Equal(("SIGTERM", 0, 1), (exit.Signal, exit.ExitCode, exit.ConnectionsClosedWithoutRequest));
    }

    // One header line every 200 ms, never the blank line that would end the headers.
    private static async Task TrickleAsync(RawHttpConnection connection, CancellationToken stop)
    {
        try
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await connection.SendAsync($"X-Trickle-{i}: 1\r\n");
                await Task.Delay(200, stop);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.Sockets.SocketException or IOException)
        {
            // Stopped, or the server closed the connection: either ends the trickle.
        }
    }
}
