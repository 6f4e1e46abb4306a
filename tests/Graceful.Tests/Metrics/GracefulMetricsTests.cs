using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Graceful.Tests.Metrics;

public class GracefulMetricsTests
{
    [Fact]
    public async Task Instruments_ReportDrainingDurationAndAborts()
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
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "graceful.server.draining")
            {
                draining.Enqueue(value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            histogram.Enqueue((value, tags.ToArray().FirstOrDefault(t => t.Key == "graceful.drain.outcome").Value as string)));
        listener.Start();

        await drain.SendRequestAsync();
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
    }

    [Fact]
    public async Task PreStop_IsAGaugeWhileItRuns_ThenADurationTaggedWithWhatEndedIt()
    {
        // A fixed pre-stop on a clock the test moves: the gauge is read while the pre-stop surely runs.
        var clock = new FakeTimeProvider();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/ping", () => "pong"),
            o => o.PreStopDelay = TimeSpan.FromSeconds(5),
            b => b.Services.AddSingleton<TimeProvider>(clock));
        var meterFactory = app.App.Services.GetRequiredService<IMeterFactory>();
        var preStop = new ConcurrentQueue<int>();
        var durations = new ConcurrentQueue<(double Seconds, string? EndedBy)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GracefulMeter.Name && instrument.Meter.Scope == meterFactory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "graceful.server.pre_stop")
            {
                preStop.Enqueue(value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "graceful.server.pre_stop.duration")
            {
                durations.Enqueue((value, tags.ToArray().FirstOrDefault(t => t.Key == "graceful.pre_stop.ended_by").Value as string));
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(0, preStop.Last());

        var shutdown = app.Shutdown.ShutdownAsync();
        // The pre-stop starts on the shutdown's own path; its start is observable only through the gauge (bounded wait).
        var started = Task.Run(async () =>
        {
            while (true)
            {
                listener.RecordObservableInstruments();
                if (preStop.LastOrDefault() == 1)
                {
                    return;
                }

                await Task.Delay(10);
            }
        });
        await started.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(durations);

        clock.Advance(TimeSpan.FromSeconds(5));
        await shutdown.WaitAsync(TimeSpan.FromSeconds(30));
        listener.RecordObservableInstruments();
        Assert.Equal(0, preStop.Last());
        var (seconds, endedBy) = Assert.Single(durations);
        Assert.Equal(5, seconds, precision: 3);
        Assert.Equal("delay", endedBy);
    }
}
