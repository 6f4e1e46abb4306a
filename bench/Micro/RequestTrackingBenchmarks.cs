using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Graceful.AspNetCore.Diagnostics.Metrics;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Benchmarks;

/// <summary>
/// What Graceful's request tracking adds to one request, against the same pipeline without it. The request is a
/// reused DefaultHttpContext on a tracked connection, as Kestrel reuses one per keep-alive connection.
/// </summary>
[MemoryDiagnoser]
public class RequestTrackingBenchmarks
{
    private readonly DefaultHttpContext _context = new();
    private RequestDelegate _bare = null!;
    private RequestDelegate _tracked = null!;
    private ServiceProvider _services = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var time = TimeProvider.System;
        var tokens = new ShutdownTokens(time);
        var tracker = new ConnectionTracker(tokens, time);
        var journal = new RequestJournal();
        // As on Kestrel, the request finds its tracked connection as the connection's items feature.
        var connection = (TrackedConnection)tracker.Track(new DefaultConnectionContext("bench"));
        _context.Features.Set<IConnectionItemsFeature>(connection);
        _context.Request.Method = "GET";
        _context.Request.Path = "/ping";
        _context.Request.Protocol = "HTTP/1.1";

        RequestDelegate endpoint = _ => Task.CompletedTask;
        _bare = endpoint;
        _tracked = RequestTrackingMiddleware.Create(endpoint, tracker, tokens, journal, new TrafficWatch(time), rejectDuringDrainRetryAfter: null, Http2GoAwayGrace.Default, time);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public Task WithoutGraceful() => _bare(_context);

    [Benchmark]
    public Task WithGracefulTracking() => _tracked(_context);
}
