using System.Diagnostics.Metrics;
using System.Net;
using Graceful.AspNetCore;
using Graceful.AspNetCore.Diagnostics.Metrics;
using Graceful.AspNetCore.Shutdown.PreStop;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Graceful.Tests.PreStop;

/// <summary>The adaptive pre-stop's decision on its own, on a fake clock: what ends it, and when.</summary>
public sealed class PreStopWaitTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly TrafficWatch _traffic;
    private readonly PreStopWait _wait;
    private readonly CancellationTokenSource _cut = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    public PreStopWaitTests()
    {
        _traffic = new TrafficWatch(_time);
        _traffic.Ignore("/healthz/ready");
        _wait = new PreStopWait(_traffic, new ConnectionTracker(new ShutdownTokens(_time), _time), _time);
    }

    private static GracefulOptions Adaptive(double minSeconds, double quietSeconds, double maxSeconds, params string[] ignore)
    {
        var options = new GracefulOptions
        {
            PreStopDelay = TimeSpan.FromSeconds(minSeconds),
            PreStopQuietPeriod = TimeSpan.FromSeconds(quietSeconds),
            PreStopMaxDelay = TimeSpan.FromSeconds(maxSeconds),
        };
        foreach (var path in ignore)
        {
            options.PreStopIgnorePaths.Add(path);
        }

        return options;
    }

    [Fact]
    public async Task Silence_EndsItByQuiet_OnceTheMinimumHasPassed()
    {
        var run = Start(Adaptive(minSeconds: 1, quietSeconds: 0.5, maxSeconds: 10));

        var end = await RunUntilDoneAsync(run, TimeSpan.FromSeconds(20));

        Assert.Equal(PreStopEndedBy.Quiet, end.EndedBy);
        AssertAbout(TimeSpan.FromSeconds(1), end.Elapsed);
        Assert.Equal(0, end.Traffic.Requests);
    }

    [Fact]
    public async Task TrafficThatKeepsArriving_HoldsItOpen_UntilOneQuietPeriodAfterTheLastRequest()
    {
        var run = Start(Adaptive(minSeconds: 0.5, quietSeconds: 0.3, maxSeconds: 10));

        // A request every 100 ms for 2 s, on two connections, then nothing.
        for (var i = 0; i < 20; i++)
        {
            Arrive("/orders", connection: i % 2 == 0 ? "a" : "b");
            Advance(TimeSpan.FromMilliseconds(100));
            Assert.False(run.IsCompleted, $"ended at {i * 100} ms while requests still arrived");
        }

        var end = await RunUntilDoneAsync(run, TimeSpan.FromSeconds(20));
        Assert.Equal(PreStopEndedBy.Quiet, end.EndedBy);
        // The last request came at 1.9 s: quiet from 2.2 s.
        AssertAbout(TimeSpan.FromSeconds(2.2), end.Elapsed);
        Assert.Equal(20, end.Traffic.Requests);
        Assert.Equal(2, end.Traffic.Connections);
    }

    [Fact]
    public async Task HealthProbesAndIgnoredPaths_AreNotTraffic()
    {
        var run = Start(Adaptive(minSeconds: 0.2, quietSeconds: 0.3, maxSeconds: 10, ignore: "/metrics"));

        for (var i = 0; i < 30 && !run.IsCompleted; i++)
        {
            Arrive("/healthz/ready");
            Arrive("/metrics");
            Arrive("/METRICS/process");
            Advance(TimeSpan.FromMilliseconds(50));
        }

        var end = await RunUntilDoneAsync(run, TimeSpan.FromSeconds(20));
        Assert.Equal(PreStopEndedBy.Quiet, end.EndedBy);
        AssertAbout(TimeSpan.FromSeconds(0.3), end.Elapsed);
        Assert.Equal(0, end.Traffic.Requests);
    }

    [Fact]
    public async Task TheMaximum_BoundsIt_AndNamesWhereTheTrafficCameFrom()
    {
        var run = Start(Adaptive(minSeconds: 0.5, quietSeconds: 0.3, maxSeconds: 2));

        for (var i = 0; i < 40 && !run.IsCompleted; i++)
        {
            Arrive("/orders", forwardedFor: "203.0.113.7");
            Advance(TimeSpan.FromMilliseconds(100));
        }

        var end = await RunUntilDoneAsync(run, TimeSpan.FromSeconds(20));
        Assert.Equal(PreStopEndedBy.Maximum, end.EndedBy);
        AssertAbout(TimeSpan.FromSeconds(2), end.Elapsed);
        Assert.Equal("10.1.2.3 (X-Forwarded-For: 203.0.113.7)", Assert.Single(end.Traffic.Addresses));
    }

    [Fact]
    public async Task ACut_EndsItAtOnce_AndIsReportedAsItsCause()
    {
        var run = Start(Adaptive(minSeconds: 1, quietSeconds: 0.3, maxSeconds: 10), cutBy: PreStopEndedBy.Signal);
        Advance(TimeSpan.FromMilliseconds(400));
        Arrive("/orders");

        await _cut.CancelAsync();

        var end = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(PreStopEndedBy.Signal, end.EndedBy);
        AssertAbout(TimeSpan.FromMilliseconds(400), end.Elapsed);
        Assert.Equal(1, end.Traffic.Requests);
    }

    [Fact]
    public async Task WithoutAQuietPeriod_ItIsTheFixedDelay_WhateverArrives()
    {
        var run = Start(new GracefulOptions { PreStopDelay = TimeSpan.FromSeconds(1) });
        for (var i = 0; i < 5; i++)
        {
            Arrive("/orders");
            Advance(TimeSpan.FromMilliseconds(100));
        }

        var end = await RunUntilDoneAsync(run, TimeSpan.FromSeconds(20));
        Assert.Equal(PreStopEndedBy.Delay, end.EndedBy);
        AssertAbout(TimeSpan.FromSeconds(1), end.Elapsed);
        Assert.Equal(5, end.Traffic.Requests);
    }

    public void Dispose()
    {
        _cut.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void OutsideThePreStop_NothingIsWatched()
    {
        Assert.False(_traffic.IsWatching);
    }

    private Task<PreStopEnd> Start(GracefulOptions options, string cutBy = PreStopEndedBy.Signal) =>
        _wait.RunAsync(options, _time.GetTimestamp(), () => cutBy, _cut.Token);

    private void Arrive(string path, string connection = "c1", string? forwardedFor = null)
    {
        Assert.True(_traffic.IsWatching);
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Connection.Id = connection;
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        _traffic.OnRequest(context);
    }

    private void Advance(TimeSpan by)
    {
        for (var left = by; left > TimeSpan.Zero; left -= Step)
        {
            _time.Advance(left < Step ? left : Step);
        }
    }

    // Timers fire on the thread that advances the fake clock, so the wait re-arms before Advance returns.
    private async Task<PreStopEnd> RunUntilDoneAsync(Task<PreStopEnd> run, TimeSpan limit)
    {
        for (var spent = TimeSpan.Zero; !run.IsCompleted && spent < limit; spent += Step)
        {
            _time.Advance(Step);
        }

        return await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static void AssertAbout(TimeSpan expected, TimeSpan actual) =>
        Assert.True((actual - expected).Duration() <= Step, $"expected about {expected}, was {actual}");
}
