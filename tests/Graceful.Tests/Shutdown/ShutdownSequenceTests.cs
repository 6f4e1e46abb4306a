using Graceful.AspNetCore;
using Graceful.AspNetCore.Diagnostics.Reporting;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// The shutdown sequence on its own, on a fake clock and without Kestrel: the order of its phases, its soft and hard
/// deadlines, the grace after an abort, and the result it ends with (the exit code included, which the process-wide
/// <see cref="Environment.ExitCode"/> only receives from the host lifetime).
/// </summary>
public sealed class ShutdownSequenceTests : IAsyncDisposable
{
    private static readonly TimeSpan Soft = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Hard = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private readonly FakeTimeProvider _clock = new();
    private readonly LogCollector _logs = new();
    private readonly ServiceProvider _services;

    public ShutdownSequenceTests()
    {
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(_logs))
            .AddSingleton<TimeProvider>(_clock)
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton<IHostApplicationLifetime, StoppingLifetime>()
            .AddSingleton<IServer, IdleServer>()
            // AddGraceful wraps the transport Kestrel registers; this sequence never binds, so nothing listens.
            .AddSingleton<IConnectionListenerFactory, NoTransport>();
        services.AddGraceful(o =>
        {
            o.SoftDrainTimeout = Soft;
            o.DrainTimeout = Hard;
            o.DeadlineExitCode = 7;
        });
        _services = services.BuildServiceProvider();
    }

    private ShutdownCoordinator Sequence => _services.GetRequiredService<ShutdownCoordinator>();

    private IShutdownTokens Tokens => _services.GetRequiredService<IShutdownTokens>();

    [Fact]
    public async Task NothingInFlight_DrainCompletesAtOnce_PhasesInOrder_ExitCodeIsTheApplicationsOwn()
    {
        var drain = await Sequence.ShutdownAsync();
        await Sequence.StoppingAsync(CancellationToken.None);
        var result = Sequence.Exit(exitCodeSoFar: 3);

        Assert.True(drain.Completed);
        Assert.NotNull(result);
        Assert.Equal(3, result.ExitCode);
        Assert.Same(drain, result.Drain);
        Assert.Equal(["stop-accepting", "close-idle", "drain", "hooks", "exit"], result.Report.Phases.Select(p => p.Name));
        Assert.Equal(ShutdownPhase.Exit, Sequence.Phase);
        Assert.Same(result, await Sequence.Completion);
    }

    [Fact]
    public async Task BusyConnection_SoftDeadlineFiresAtItsTime_HardDeadlineCuts_ExitCodeIsTheDeadlines()
    {
        StartRequest("/stuck");
        var drain = Sequence.ShutdownAsync();
        Assert.True(Tokens.Draining.IsCancellationRequested);

        _clock.Advance(Soft - Tick);
        Assert.False(Tokens.SoftDeadline.IsCancellationRequested);
        _clock.Advance(Tick);
        Assert.True(Tokens.SoftDeadline.IsCancellationRequested);
        Assert.False(drain.IsCompleted);

        _clock.Advance(Hard - Soft - Tick);
        Assert.False(drain.IsCompleted);
        var cutAt = _clock.GetUtcNow() + Tick;
        _clock.Advance(Tick);
        // The connection was aborted, but nothing here disposes it (as a handler ignoring RequestAborted would not):
        // the sequence waits one more second for it, then gives up on it.
        var result = await AdvanceUntilDoneAsync(drain);

        Assert.False(result.Completed);
        var cut = Assert.Single(result.Cut);
        Assert.Equal("/stuck", cut.Path);
        Assert.InRange(cut.Ran, Hard, Hard + TimeSpan.FromMilliseconds(100));
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "HandlersIgnoredAbort");
        Assert.True(_clock.GetUtcNow() - cutAt >= TimeSpan.FromSeconds(1), "the abort grace is one second");
        var exit = Sequence.Exit(exitCodeSoFar: 0)!;
        Assert.Equal(7, exit.ExitCode);
        Assert.Equal(RequestOutcome.Aborted, Assert.Single(exit.Report.Requests).Outcome);
    }

    [Fact]
    public async Task RequestEndsBeforeTheHardDeadline_NothingIsCut_CompletedAfterTheSoftDeadline()
    {
        var connection = Connect();
        var request = StartRequest("/late", connection);
        var drain = Sequence.ShutdownAsync();

        _clock.Advance(Soft + Tick);
        request.End(_clock.GetTimestamp());
        await connection.DisposeAsync();
        var result = await drain.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.Completed);
        var reported = Assert.Single(Sequence.Exit(exitCodeSoFar: 0)!.Report.Requests);
        Assert.Equal("completed-after-soft-deadline", reported.Outcome);
    }

    [Fact]
    public async Task RepeatedSignal_CutsAtOnce_BeforeAnyDeadline()
    {
        StartRequest("/stuck");
        Assert.True(Sequence.TryBegin("SIGTERM"));
        var drain = Sequence.ShutdownAsync();

        Sequence.OnRepeatedSignal("SIGTERM");
        var result = await AdvanceUntilDoneAsync(drain);

        Assert.False(result.Completed);
        Assert.Equal("SIGTERM", result.Trigger);
        Assert.False(Tokens.SoftDeadline.IsCancellationRequested);
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "ForcingDeadline");
    }

    [Fact]
    public void SecondTrigger_JoinsTheFirst()
    {
        Assert.True(Sequence.TryBegin("SIGTERM"));
        Assert.False(Sequence.TryBegin("SIGINT"));

        Assert.Equal("SIGTERM", Sequence.Trigger!.Name);
        Assert.Equal(ShutdownPhase.Triggered, Sequence.Phase);
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "AlreadyShuttingDown");
    }

    [Fact]
    public void NoShutdown_NoResult() => Assert.Null(Sequence.Exit(exitCodeSoFar: 0));

    // After a cut the grace's timer starts once the cut's continuation has run, which the test's synchronization
    // context may post: move the fake clock in small steps until the drain lets go (bounded in steps, not in time).
    private async Task<DrainResult> AdvanceUntilDoneAsync(Task<DrainResult> drain)
    {
        for (var step = 0; step < 100 && !drain.IsCompleted; step++)
        {
            await Task.Yield();
            _clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        return await drain.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private TrackedConnection Connect() =>
        (TrackedConnection)_services.GetRequiredService<ConnectionTracker>().Track(new DefaultConnectionContext(Guid.NewGuid().ToString("N")));

    private StartedRequest StartRequest(string path, TrackedConnection? connection = null)
    {
        connection ??= Connect();
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Request.Protocol = "HTTP/1.1";
        Assert.True(connection.RequestStarted(context, _clock.GetTimestamp(), out var record));
        return new StartedRequest(connection, context, record);
    }

    private sealed record StartedRequest(TrackedConnection Connection, HttpContext Context, InFlightRequest? Record)
    {
        public void End(long now) => Connection.RequestEnded(Context, Record, now);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class StoppingLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    private sealed class IdleServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    private sealed class NoTransport : IConnectionListenerFactory
    {
        public ValueTask<IConnectionListener> BindAsync(System.Net.EndPoint endpoint, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("This sequence never binds.");
    }
}
