using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Graceful.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Metrics;

public class GracefulMetricsTests
{
    [Fact]
    public async Task Instruments_ReportRequestsConnectionsDrainingDurationAndAborts()
    {
        await using var drain = await HeldDrain.StartAsync();
        var meterFactory = drain.App.App.Services.GetRequiredService<IMeterFactory>();
        var sums = new ConcurrentDictionary<string, double>();
        var histogram = new ConcurrentQueue<(double Value, string? Outcome)>();
        var draining = new ConcurrentQueue<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this app's meter: other tests' apps run in the same process.
            if (instrument.Meter.Name == GracefulMeter.Name && instrument.Meter.Scope == meterFactory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => draining.Enqueue(value));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            histogram.Enqueue((value, tags.ToArray().FirstOrDefault(t => t.Key == "graceful.drain.outcome").Value as string)));
        listener.Start();

        await drain.SendRequestAsync();
        Assert.Equal(1, sums.GetValueOrDefault("graceful.server.active_requests"));
        Assert.Equal(1, sums.GetValueOrDefault("graceful.server.open_connections"));
        listener.RecordObservableInstruments();
        Assert.Equal(0, draining.Last());

        await drain.BeginDrainAsync();
        listener.RecordObservableInstruments();
        Assert.Equal(1, draining.Last());
        var result = await drain.CutAsync();

        Assert.False(result.Completed);
        Assert.Equal(1, sums.GetValueOrDefault("graceful.server.aborted_requests"));
        var (seconds, outcome) = Assert.Single(histogram);
        Assert.Equal(HeldDrain.DrainTimeout.TotalSeconds, seconds);
        Assert.Equal("cut", outcome);
        listener.RecordObservableInstruments();
        Assert.Equal(0, draining.Last());
        Assert.Equal(0, sums.GetValueOrDefault("graceful.server.active_requests"));
        Assert.Equal(0, sums.GetValueOrDefault("graceful.server.open_connections"));
    }
}
