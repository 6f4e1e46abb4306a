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
    public async Task Instruments_ReportRequestsConnectionsDrainingDurationAndAborts()
    {
        // The drain deadline runs on a clock the test moves: the draining gauge is read while the drain surely waits.
        var clock = new FakeTimeProvider();
        var drainTimeout = TimeSpan.FromMinutes(5);
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", held.Handler),
            o => o.DrainTimeout = drainTimeout,
            b => b.Services.AddSingleton<TimeProvider>(clock));
        var meterFactory = app.App.Services.GetRequiredService<IMeterFactory>();
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

        using var client = app.CreateClient();
        var slow = client.GetAsync("/slow");
        await held.WaitUntilStartedAsync();
        Assert.Equal(1, sums.GetValueOrDefault("graceful.server.active_requests"));
        Assert.Equal(1, sums.GetValueOrDefault("graceful.server.open_connections"));
        listener.RecordObservableInstruments();
        Assert.Equal(0, draining.Last());

        var shutdown = app.Shutdown.ShutdownAsync();
        await Task.Delay(Timeout.Infinite, app.App.Services.GetRequiredService<IShutdownTokens>().Draining)
            .ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
        listener.RecordObservableInstruments();
        Assert.Equal(1, draining.Last());
        clock.Advance(drainTimeout);
        var result = await shutdown.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => slow);

        Assert.False(result.Completed);
        Assert.Equal(1, sums.GetValueOrDefault("graceful.server.aborted_requests"));
        var (seconds, outcome) = Assert.Single(histogram);
        Assert.Equal(drainTimeout.TotalSeconds, seconds);
        Assert.Equal("cut", outcome);
        listener.RecordObservableInstruments();
        Assert.Equal(0, draining.Last());
        Assert.Equal(0, sums.GetValueOrDefault("graceful.server.active_requests"));
        Assert.Equal(0, sums.GetValueOrDefault("graceful.server.open_connections"));
    }
}
