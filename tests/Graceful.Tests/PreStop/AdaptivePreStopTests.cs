using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.PreStop;

/// <summary>
/// The adaptive pre-stop in the real sample, with real signals: the listeners stay open while requests arrive and
/// close once they stop. Each test asserts the reason the report gives, not just that nothing failed.
/// </summary>
public sealed class AdaptivePreStopTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("graceful-prestop-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task TrafficThatKeepsArriving_HoldsTheListenersOpen_ThenQuietClosesThem()
    {
        var report = Path.Combine(_folder, "report.json");
        await using var service = await SlowService.StartAsync(
            "--pre-stop-delay", "200ms", "--pre-stop-quiet", "2s", "--pre-stop-max", "20s", "--report", report);
        await service.WaitForEventAsync(ApplicationStarted, Generous); // serving, not only listening (see PreStopDelayTests)

        var signalledAt = Stopwatch.GetTimestamp();
        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(AdaptivePreStop, Generous, e => e["Quiet"] == "2.00s");

        // 2.5 s of requests, each on a fresh connection: the listener must accept every one, well past the minimum.
        var sent = 0;
        while (Stopwatch.GetElapsedTime(signalledAt) < TimeSpan.FromSeconds(2.5))
        {
            using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
            Assert.Equal("pong", await client.GetStringAsync("/ping"));
            sent++;
            await Task.Delay(50);
        }

        await service.WaitForEventAsync(StoppedAccepting, Generous);
        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => RawHttpConnection.ConnectAsync(service.BaseAddress));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));

        var preStop = await ReadPreStopAsync(report);
        Assert.Equal("quiet", preStop.GetProperty("endedBy").GetString());
        Assert.Equal(sent, preStop.GetProperty("requests").GetInt32());
        Assert.True(preStop.GetProperty("seconds").GetDouble() >= 2.5, preStop.ToString());
        Assert.Single(service.Events(PreStopQuiet));
    }

    [Fact]
    public async Task HealthProbesThatKeepArriving_DoNotHoldIt()
    {
        var report = Path.Combine(_folder, "report.json");
        await using var service = await SlowService.StartAsync(
            "--pre-stop-delay", "200ms", "--pre-stop-quiet", "500ms", "--pre-stop-max", "20s", "--report", report);
        await service.WaitForEventAsync(ApplicationStarted, Generous); // serving, not only listening (see PreStopDelayTests)
        using var prober = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };

        service.Signal(Signals.SIGTERM);
        using var probing = new CancellationTokenSource();
        var probes = ProbeUntilRefusedAsync(prober, probing.Token);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        await probing.CancelAsync();
        var answered = await probes;

        var preStop = await ReadPreStopAsync(report);
        Assert.Equal("quiet", preStop.GetProperty("endedBy").GetString());
        Assert.Equal(0, preStop.GetProperty("requests").GetInt32());
        Assert.True(answered > 0, "the balancer's probes reached the instance during the pre-stop");
        Assert.True(preStop.GetProperty("seconds").GetDouble() < 15, preStop.ToString());
    }

    [Fact]
    public async Task TheMaximum_EndsItUnderTraffic_AndTheLogSaysFromWhere()
    {
        var report = Path.Combine(_folder, "report.json");
        await using var service = await SlowService.StartAsync(
            "--pre-stop-delay", "200ms", "--pre-stop-quiet", "10s", "--pre-stop-max", "1500ms", "--report", report);
        await service.WaitForEventAsync(ApplicationStarted, Generous); // serving, not only listening (see PreStopDelayTests)
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };

        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(AdaptivePreStop, Generous);
        while (service.Events(StoppedAccepting).Count == 0)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/ping");
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            try
            {
                using var response = await client.SendAsync(request);
            }
            catch (HttpRequestException)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        var preStop = await ReadPreStopAsync(report);
        Assert.Equal("maximum", preStop.GetProperty("endedBy").GetString());
        Assert.Contains("127.0.0.1 (X-Forwarded-For: 203.0.113.7)", preStop.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("203.0.113.7", Assert.Single(service.Events(PreStopMaximum))["Addresses"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondSignal_EndsIt()
    {
        var report = Path.Combine(_folder, "report.json");
        await using var service = await SlowService.StartAsync(
            "--pre-stop-delay", "10s", "--pre-stop-quiet", "1s", "--pre-stop-max", "30s", "--report", report);
        await service.WaitForEventAsync(ApplicationStarted, Generous); // serving, not only listening (see PreStopDelayTests)

        service.Signal(Signals.SIGTERM);
        await service.WaitForEventAsync(AdaptivePreStop, Generous);
        // Well after any burst of the first signal: this is the operator insisting.
        await Task.Delay(TimeSpan.FromSeconds(1));
        service.Signal(Signals.SIGTERM);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        var preStop = await ReadPreStopAsync(report);
        Assert.Equal("signal", preStop.GetProperty("endedBy").GetString());
        Assert.True(preStop.GetProperty("seconds").GetDouble() < 9, preStop.ToString());
    }

    private static async Task<int> ProbeUntilRefusedAsync(HttpClient prober, CancellationToken stop)
    {
        var answered = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await prober.GetAsync("/healthz/ready", stop);
                answered += response.StatusCode == HttpStatusCode.ServiceUnavailable ? 1 : 0;
                await Task.Delay(50, stop);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                break;
            }
        }

        return answered;
    }

    private static async Task<JsonElement> ReadPreStopAsync(string path)
    {
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        return report.RootElement.GetProperty("preStop").Clone();
    }
}
