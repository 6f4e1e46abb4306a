using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Graceful.Tests.Metrics;

/// <summary>
/// Graceful's meter read by the OpenTelemetry SDK as docs/observability.md wires it (<c>AddMeter(GracefulMeter.Name)</c>),
/// exported to memory. OpenTelemetry subscribes by meter name across the process, so this runs in the collection that
/// runs alone: no other test's app publishes the same meter meanwhile.
/// </summary>
[Collection(ProcessExitCode.Name)]
public class OpenTelemetryExportTests
{
    [Fact]
    public async Task InMemoryExporter_SeesTheDrain_InFlightDrainingThenItsDurationAndCut()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(GracefulMeter.Name).AddInMemoryExporter(exported).Build();
        // The drain deadline runs on a clock the test moves, so the export during the drain surely sees it under way.
        var clock = new FakeTimeProvider();
        var drainTimeout = TimeSpan.FromMinutes(5);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", async (CancellationToken ct) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }),
            o => o.DrainTimeout = drainTimeout,
            b => b.Services.AddSingleton<TimeProvider>(clock));
        using var client = app.CreateClient();
        var slow = client.GetAsync("/slow");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        try
        {
            var shutdown = app.Shutdown.ShutdownAsync();
            await Task.Delay(Timeout.Infinite, app.App.Services.GetRequiredService<IShutdownTokens>().Draining)
                .ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
            var during = Export(meters, exported);
            Assert.Equal(1, LongValue(during, "graceful.server.draining"));
            Assert.Equal(1, LongValue(during, "graceful.server.active_requests"));
            Assert.Equal(1, LongValue(during, "graceful.server.open_connections"));

            clock.Advance(drainTimeout);
            Assert.False((await shutdown.WaitAsync(TimeSpan.FromSeconds(30))).Completed);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => slow);

            var after = Export(meters, exported);
            Assert.Equal(0, LongValue(after, "graceful.server.draining"));
            Assert.Equal(1, LongValue(after, "graceful.server.aborted_requests"));
            var duration = Assert.Single(Points(after, "graceful.server.drain.duration"));
            Assert.Equal(1, duration.GetHistogramCount());
            Assert.Equal(drainTimeout.TotalSeconds, duration.GetHistogramSum());
            Assert.Equal("cut", Tag(duration, "graceful.drain.outcome"));
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }

    // One collection and export, as the periodic reader makes them (cumulative, the SDK's default).
    private static List<MetricSnapshot> Export(MeterProvider meters, List<MetricSnapshot> exported)
    {
        exported.Clear();
        Assert.True(meters.ForceFlush(10_000));
        return [.. exported];
    }

    private static IReadOnlyList<MetricPoint> Points(List<MetricSnapshot> snapshots, string name) =>
        Assert.Single(snapshots, s => s.Name == name).MetricPoints;

    private static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    private static long LongValue(List<MetricSnapshot> snapshots, string name)
    {
        var snapshot = Assert.Single(snapshots, s => s.Name == name);
        var point = Assert.Single(snapshot.MetricPoints);
        return snapshot.MetricType == MetricType.LongGauge ? point.GetGaugeLastValueLong() : point.GetSumLong();
    }
}
