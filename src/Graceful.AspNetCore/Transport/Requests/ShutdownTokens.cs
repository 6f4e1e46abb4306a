using Graceful.AspNetCore.Streams;

namespace Graceful.AspNetCore.Transport.Requests;

/// <summary>The one <see cref="IShutdownTokens"/> of an application; the coordinator fires its tokens.</summary>
internal sealed class ShutdownTokens(TimeProvider time) : IShutdownTokens, IDisposable
{
    private readonly CancellationTokenSource _draining = new();
    private readonly CancellationTokenSource _softDeadline = new();
    private ITimer? _softTimer;

    public CancellationToken Draining => _draining.Token;

    public CancellationToken SoftDeadline => _softDeadline.Token;

    /// <summary>Where <see cref="GracefulWebSocket"/>s queue their closes when the drain starts.</summary>
    public PacedCloses WebSocketCloses { get; } = new();

    /// <summary>When the soft deadline fired (a timestamp), or null.</summary>
    public long? SoftDeadlineAt { get; private set; }

    public void StartDraining() => _draining.Cancel();

    /// <summary>Fires <see cref="SoftDeadline"/> after <paramref name="delay"/> (now if it is already due).</summary>
    public void ScheduleSoftDeadline(TimeSpan delay) =>
        _softTimer = time.CreateTimer(static state => ((ShutdownTokens)state!).FireSoftDeadline(), this,
            delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);

    private void FireSoftDeadline()
    {
        SoftDeadlineAt = time.GetTimestamp();
        _softDeadline.Cancel();
    }

    public void Dispose()
    {
        _softTimer?.Dispose();
        _draining.Dispose();
        _softDeadline.Dispose();
    }
}
