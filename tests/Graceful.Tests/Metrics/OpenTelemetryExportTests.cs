using Graceful.AspNetCore;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Graceful.Tests.Metrics;

/// <summary>
/// Graceful's meter read by the OpenTelemetry SDK as docs/observability.md wires it (<c>AddMeter(GracefulMeter.Name)</c>),
/// exported to memory. OpenTelemetry subscribes by meter name across the process, so this runs in the collection that
/// runs alone: no other test's app publishes the same meter meanwhile.
/// </summary>
[Collection(RunsAlone.Name)]
public class OpenTelemetryExportTests
{
    [Fact]
    public async Task InMemoryExporter_SeesTheDrain_InFlightDrainingThenItsDurationAndCut()
    {
        var exported = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(GracefulMeter.Name).AddInMemoryExporter(exported).Build();
        await using var drain = await HeldDrain.StartAsync();
        await drain.SendRequestAsync();

        await drain.BeginDrainAsync();
        var during = Export(meters, exported);
        Assert.Equal(1, LongValue(during, "graceful.server.draining"));

        Assert.False((await drain.CutAsync()).Completed);
        var after = Export(meters, exported);
        Assert.Equal(0, LongValue(after, "graceful.server.draining"));
        Assert.Equal(1, LongValue(after, "graceful.server.aborted_requests"));
        var duration = Assert.Single(Assert.Single(after, s => s.Name == "graceful.server.drain.duration").MetricPoints);
        Assert.Equal(1, duration.GetHistogramCount());
        Assert.Equal(HeldDrain.DrainTimeout.TotalSeconds, duration.GetHistogramSum());
        Assert.Equal("cut", Tag(duration, "graceful.drain.outcome"));
    }

    // One collection and export, as the periodic reader makes them (cumulative, the SDK's default).
    private static List<MetricSnapshot> Export(MeterProvider meters, List<MetricSnapshot> exported)
    {
        exported.Clear();
        Assert.True(meters.ForceFlush(10_000));
        return [.. exported];
    }

    private static long LongValue(List<MetricSnapshot> snapshots, string name)
    {
        var snapshot = Assert.Single(snapshots, s => s.Name == name);
        var point = Assert.Single(snapshot.MetricPoints);
        return snapshot.MetricType == MetricType.LongGauge ? point.GetGaugeLastValueLong() : point.GetSumLong();
    }

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
}
