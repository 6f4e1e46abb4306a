using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// When another <see cref="IHostLifetime"/> was registered after <c>AddGraceful()</c> (e.g. <c>UseSystemd()</c> or
/// <c>AddSystemd()</c> under systemd, whose <c>SystemdLifetime</c> then wins), the host never calls Graceful's: no
/// budget line, no exit line, no exit code. The host has already chosen by the time any hosted service runs, so
/// Graceful cannot replace it; it takes over beside it instead, with one warning: its own signal handling (the
/// other lifetime's SIGTERM handler still stops the host at once, and the pre-stop then runs in the host's stopping
/// phase, before Kestrel stops), its start-up lines, and at the end its exit line and exit code. Registered before
/// every other hosted service, so it starts first and finishes last.
/// </summary>
internal sealed partial class ForeignLifetimeTakeover(IServiceProvider services, ILogger<ForeignLifetimeTakeover> logger) : IHostedLifecycleService
{
    private GracefulHostLifetime? _takenOver;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var hostLifetime = services.GetRequiredService<IHostLifetime>();
        if (hostLifetime is GracefulHostLifetime)
        {
            return;
        }

        LogTakingOver(logger, hostLifetime.GetType().Name);
        _takenOver = services.GetRequiredService<GracefulHostLifetime>();
        await _takenOver.WaitForStartAsync(cancellationToken);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) =>
        _takenOver?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 50, EventName = "ForeignLifetime", Level = LogLevel.Warning,
        Message = "The host's lifetime is {Lifetime}, registered after AddGraceful(): Graceful takes over beside it (its signals, pre-stop, drain, budget and exit lines). To leave Graceful the only lifetime, call AddGraceful() after UseSystemd()/AddSystemd()")]
    private static partial void LogTakingOver(ILogger logger, string lifetime);
}
