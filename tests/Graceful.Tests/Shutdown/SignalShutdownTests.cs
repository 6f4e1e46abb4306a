using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Shutdown;

/// <summary>The sample as a real process receiving real signals: the Go demo's scenario.</summary>
public class SignalShutdownTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGINT")]
    [InlineData("SIGQUIT")]
    public async Task SignalDuringSlowRequest_ClientGets200AndBody_NewConnectionsRefused_ExitsZero(string signal)
    {
        using var report = new ReportFile();
        await using var service = await SlowService.StartAsync("--slow", "2s", "--report", report.Path);
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
        var slow = client.GetAsync("/slow");
        await service.WaitForEventAsync(SlowService.HandlerStarted, Generous);

        service.Signal(signal);
        await service.WaitForEventAsync(StoppedAccepting, Generous);
        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => RawHttpConnection.ConnectAsync(service.BaseAddress));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        using var response = await slow;
        var respondedAt = Stopwatch.GetTimestamp();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"message":"success"}""", await response.Content.ReadAsStringAsync());

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.True(Stopwatch.GetElapsedTime(respondedAt, service.ExitedAt) < TimeSpan.FromSeconds(5), "exit soon after the last response");
        var started = Assert.Single(service.Events(ShutdownStarted));
        Assert.Equal((signal, 1, 1), (started["Trigger"], started.Number("Requests"), started.Number("Connections")));
        Assert.Single(service.Events(SlowService.HandlerEnded));
        Assert.Equal(0, Assert.Single(service.Events(Exited)).Number("ExitCode"));
        var exit = report.Read();
        Assert.Equal((signal, 0, 1), (exit.Signal, exit.ExitCode, exit.Totals.Requests));
    }

    [Fact]
    public async Task BoundedMode_RequestLongerThanDeadline_IsCutAtDeadline_NamedInLog_ExitsNonZero()
    {
        using var report = new ReportFile();
        await using var service = await SlowService.StartAsync("--slow", "30s", "--shutdown-timeout", "1s", "--report", report.Path);
        using var connection = await service.StartSlowRequestAsync();

        var signalledAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGTERM);
        await Assert.ThrowsAnyAsync<Exception>(() => connection.ReadResponseAsync());

        Assert.Equal(1, await service.WaitForExitAsync(Generous));
        var stopped = Stopwatch.GetElapsedTime(signalledAt, service.ExitedAt);
        Assert.InRange(stopped, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        var cut = Assert.Single(service.Events(RequestCut));
        Assert.Equal(("GET", "/slow"), (cut["Method"], cut["Path"]));
        var drain = Assert.Single(service.Events(DrainCut));
        Assert.Equal((1, 1), (drain.Number("Count"), drain.Number("Connections")));
        Assert.Empty(service.Events(SlowService.HandlerEnded));
        Assert.Equal(1, Assert.Single(service.Events(Exited)).Number("ExitCode"));
        Assert.Equal(1, report.Read().ExitCode);
    }

    [Fact]
    public async Task KeepAliveConnections_IdleLongerThanTheGrace_AreClosedAtOnce_AndDoNotDelayExit()
    {
        using var report = new ReportFile();
        await using var service = await SlowService.StartProcessAsync(["--urls", "http://127.0.0.1:0", "--report", report.Path],
            new Dictionary<string, string> { ["Graceful__IdleGrace"] = "200ms" });
        var connections = await OpenUsedKeepAliveConnectionsAsync(service.BaseAddress, 20);
        try
        {
            await Task.Delay(600);
            var signalledAt = Stopwatch.GetTimestamp();
            service.Signal(Signals.SIGTERM);
            foreach (var connection in connections)
            {
                Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)), "idle keep-alive connection closed by the server");
            }

            Assert.Equal(0, await service.WaitForExitAsync(Generous));
            // Kestrel keeps idle connections for 130 s; closing them at once makes the exit prompt.
            Assert.True(Stopwatch.GetElapsedTime(signalledAt, service.ExitedAt) < TimeSpan.FromSeconds(5));
            var closed = Assert.Single(service.Events(ClosedIdle));
            Assert.Equal(20, closed.Number("Idle"));
            Assert.Equal(0, report.Read().ConnectionsAtDrainStart.KeptForNextRequest);
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task RecentlyUsedKeepAliveConnections_AreKeptForTheClientsNextRequest_ThenClosedAfterTheGrace()
    {
        using var report = new ReportFile();
        await using var service = await SlowService.StartAsync("--report", report.Path);
        var connections = await OpenUsedKeepAliveConnectionsAsync(service.BaseAddress, 5);
        try
        {
            var signalledAt = Stopwatch.GetTimestamp();
            service.Signal(Signals.SIGTERM);
            await service.WaitForEventAsync(ClosedIdle, Generous);

            // The client that sends next on a kept connection gets an answer, and is told to go away.
            await connections[0].SendGetAsync("/ping");
            var response = await connections[0].ReadResponseAsync();
            Assert.Equal(200, response.StatusCode);
            Assert.True(response.ConnectionClose);

            foreach (var connection in connections)
            {
                Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
            }

            Assert.Equal(0, await service.WaitForExitAsync(Generous));
            Assert.InRange(Stopwatch.GetElapsedTime(signalledAt, service.ExitedAt), TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
            Assert.Equal(5, report.Read().ConnectionsAtDrainStart.KeptForNextRequest);
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    private static async Task<List<RawHttpConnection>> OpenUsedKeepAliveConnectionsAsync(Uri baseAddress, int count)
    {
        var connections = new List<RawHttpConnection>();
        for (var i = 0; i < count; i++)
        {
            var connection = await RawHttpConnection.ConnectAsync(baseAddress);
            connections.Add(connection);
            await connection.SendGetAsync("/ping");
            var response = await connection.ReadResponseAsync();
            Assert.Equal(200, response.StatusCode);
            Assert.False(response.ConnectionClose);
        }

        return connections;
    }

    [Fact]
    public async Task BusyKeepAliveConnection_GetsConnectionClose_OnTheResponseInFlight()
    {
        await using var service = await SlowService.StartAsync("--slow", "1s");
        using var connection = await service.StartSlowRequestAsync();

        service.Signal(Signals.SIGTERM);
        var response = await connection.ReadResponseAsync();

        Assert.Equal(200, response.StatusCode);
        Assert.True(response.ConnectionClose, "the client learns not to reuse a connection the server is closing");
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
    }
}
