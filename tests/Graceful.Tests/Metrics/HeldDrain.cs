using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Graceful.Tests.Metrics;

/// <summary>
/// An in-process app whose drain waits on one request that never ends by itself, with the drain deadline on a clock
/// the test moves: whatever is read while the drain waits surely sees it under way, and the cut comes when the test says.
/// </summary>
internal sealed class HeldDrain : IAsyncDisposable
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _clock;
    private readonly HeldRequest _held;
    private readonly HttpClient _client;
    private Task<HttpResponseMessage>? _request;
    private Task<DrainResult>? _shutdown;

    private HeldDrain(TestApp app, FakeTimeProvider clock, HeldRequest held)
    {
        App = app;
        _clock = clock;
        _held = held;
        _client = app.CreateClient();
    }

    public TestApp App { get; }

    public static async Task<HeldDrain> StartAsync()
    {
        var clock = new FakeTimeProvider();
        var held = new HeldRequest();
        var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", held.Handler),
            o => o.DrainTimeout = DrainTimeout,
            b => b.Services.AddSingleton<TimeProvider>(clock));
        return new HeldDrain(app, clock, held);
    }

    /// <summary>Sends the request that holds the drain; returns once its handler runs.</summary>
    public async Task SendRequestAsync()
    {
        _request = _client.GetAsync("/slow");
        await _held.WaitUntilStartedAsync(Generous);
    }

    /// <summary>Starts the shutdown; returns once the drain has begun, and so waits on the request.</summary>
    public async Task BeginDrainAsync()
    {
        _shutdown = App.Shutdown.ShutdownAsync();
        await Task.Delay(Timeout.Infinite, App.App.Services.GetRequiredService<IShutdownTokens>().Draining)
            .ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Generous);
    }

    /// <summary>Moves the clock to the drain deadline, which cuts the request; returns the drain's result.</summary>
    public async Task<DrainResult> CutAsync()
    {
        _clock.Advance(DrainTimeout);
        var result = await _shutdown!.WaitAsync(Generous);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _request!);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await App.DisposeAsync();
    }
}
