namespace Graceful.AspNetCore;

/// <summary>
/// Graceful's shutdown, for code that wants to start it or wait for it, as Go's <c>http.Server.Shutdown(ctx)</c>.
/// </summary>
public interface IGracefulShutdown
{
    /// <summary>True once a shutdown has started, by a signal or by <see cref="ShutdownAsync"/>.</summary>
    bool IsShuttingDown { get; }

    /// <summary>
    /// Starts the graceful shutdown (the same one a SIGTERM starts) if none has started, and waits for its drain.
    /// The drain closes the listeners, closes idle connections and waits for in-flight requests to finish.
    /// When <paramref name="deadline"/> (or the configured <see cref="GracefulOptions.DrainTimeout"/>) expires
    /// first, the connections still serving are aborted and the result lists the requests cut. After the drain
    /// the application stops: shutdown hooks run, hosted services stop and the process exits.
    /// There is only ever one drain: calling it again, or during a signal-started shutdown, joins that drain,
    /// and every caller's <paramref name="deadline"/> bounds it. It does not wait for hooks or hosted services.
    /// </summary>
    /// <param name="deadline">Cancel to cut the drain: what still runs is aborted.</param>
    /// <returns>Whether the drain completed, and what it cut.</returns>
    Task<DrainResult> ShutdownAsync(CancellationToken deadline = default);

    /// <summary>
    /// Upgrades in place, as the upgrade signal (SIGHUP by default) does: starts the successor with the listening
    /// sockets, waits until it serves, then drains this process, which exits. If the successor fails to start, exits or
    /// is not ready within <see cref="UpgradeOptions.ReadyTimeout"/>, it is killed and this process serves on. Only one
    /// upgrade runs at a time. Needs <see cref="UpgradeOptions.Enabled"/>.
    /// </summary>
    /// <param name="cancellationToken">Cancel to abandon the upgrade before the hand-over: the successor is killed.</param>
    /// <returns>How it ended; on <see cref="UpgradeOutcome.HandedOver"/> this process is draining.</returns>
    Task<UpgradeResult> UpgradeAsync(CancellationToken cancellationToken = default);
}
