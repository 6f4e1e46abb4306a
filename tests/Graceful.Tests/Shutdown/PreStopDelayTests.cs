using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Graceful.AspNetCore.Platform.Signals;
using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Shutdown;

/// <summary>Behind a load balancer: keep serving after the signal while readiness tells the balancer to stop routing here.</summary>
public class PreStopDelayTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task DuringThePreStopDelay_ReadinessAnswers503_WhilePingAndLivenessAnswer200_ThenTheDrainRuns()
    {
        await using var service = await SlowService.StartAsync("--pre-stop-delay", "2s");
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);

        var signalledAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(PreStopDelay, Generous, e => e["Delay"] == "2.00s");

        // Fresh connections each time: the listener must still accept during the delay.
        using (var fresh = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous })
        {
            var ready = await fresh.GetAsync("/healthz/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        }

        using (var fresh = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous })
        {
            Assert.Equal("pong", await fresh.GetStringAsync("/ping"));
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/healthz/live")).StatusCode);
        }

        Assert.True(Stopwatch.GetElapsedTime(signalledAt) < TimeSpan.FromSeconds(1.9), "checked within the delay");
        await service.WaitForEventAsync(StoppedAccepting, Generous);
        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => RawHttpConnection.ConnectAsync(service.BaseAddress));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.True(Stopwatch.GetElapsedTime(signalledAt, service.ExitedAt) >= TimeSpan.FromSeconds(1.9), "the listener stayed open for the delay");
    }

    [Fact]
    public async Task SecondSignal_DuringThePreStopDelay_EndsItAndStopsNow()
    {
        await using var service = await SlowService.StartAsync("--pre-stop-delay", "30s");
        // Serving, not just listening: a signal between the two stops before serving, with no pre-stop to cut (seen
        // once in a clean-clone CI run: the SIGTERM landed 60 ms before "Application started").
        await service.WaitForEventAsync(ApplicationStarted, Generous);
        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(PreStopDelay, Generous);
        // A repeat within the burst window is the same request; wait the window out (its start is proven by the line above).
        await Task.Delay(RepeatedSignals.Window * 2);

        var secondAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGTERM);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.True(Stopwatch.GetElapsedTime(secondAt, service.ExitedAt) < TimeSpan.FromSeconds(10), "the 30 s delay was cut short");
    }
}
