namespace HostileApp;

/// <summary>Starts at once; says when it starts and stops.</summary>
internal sealed class FirstService : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine("[first] started");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine("[first] stopped");
        return Task.CompletedTask;
    }
}

/// <summary>How long <see cref="SlowStartService"/> takes to start, to stop and to be disposed.</summary>
internal sealed record Slowness(TimeSpan Start, TimeSpan Stop, TimeSpan Dispose);

/// <summary>Takes its time to start (a cache warm-up, a migration), to stop and to be disposed; it honours its tokens.</summary>
internal sealed class SlowStartService(Slowness slow) : IHostedService, IDisposable
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine("[slow-start] starting");
        await Task.Delay(slow.Start, cancellationToken);
        Console.WriteLine("[slow-start] started");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine("[slow-start] stopping");
        await Task.Delay(slow.Stop, cancellationToken);
        Console.WriteLine("[slow-start] stopped");
    }

    public void Dispose()
    {
        Console.WriteLine("[slow-start] disposing");
        Thread.Sleep(slow.Dispose);
        Console.WriteLine("[slow-start] disposed");
    }
}

/// <summary>
/// Takes <see cref="SlowStarted.Duration"/> in <c>StartedAsync</c>, which the host runs after every hosted service has
/// started (Kestrel listens already) and before the application counts as started.
/// </summary>
internal sealed class SlowStartedService(SlowStarted slow) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine("[slow-started] waiting");
        await Task.Delay(slow.Duration, cancellationToken);
        Console.WriteLine("[slow-started] done");
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>How long <see cref="SlowStartedService"/> takes in <c>StartedAsync</c>.</summary>
internal sealed record SlowStarted(TimeSpan Duration);
