namespace Graceful.AspNetCore;

/// <summary>How an in-place upgrade ended.</summary>
public enum UpgradeOutcome
{
    /// <summary>The successor is serving on the inherited sockets; this process is draining and will exit.</summary>
    HandedOver,

    /// <summary>The successor failed to start, exited or was not ready in time; this process serves on.</summary>
    Failed,

    /// <summary>Another upgrade was already under way; this trigger was ignored.</summary>
    AlreadyUpgrading,

    /// <summary>The process is shutting down; no upgrade was started (or the one under way was abandoned).</summary>
    ShuttingDown,

    /// <summary><see cref="UpgradeOptions.Enabled"/> is off.</summary>
    NotEnabled,

    /// <summary>
    /// Refused, and nothing started: a successor would die with this process, which is PID 1 of its PID namespace (a
    /// container's entrypoint) or runs under an init that exits with it (tini, <c>docker run --init</c>, dumb-init).
    /// In a container, replace it with a rolling restart instead.
    /// </summary>
    Refused,
}

/// <summary>The result of <see cref="IGracefulShutdown.UpgradeAsync"/>.</summary>
/// <param name="Outcome">How the upgrade ended.</param>
/// <param name="SuccessorProcessId">The successor's process id, once one was started.</param>
/// <param name="Reason">Why it did not hand over, in words; null when it did.</param>
/// <param name="Duration">From the trigger to the hand-over (or the failure).</param>
public sealed record UpgradeResult(UpgradeOutcome Outcome, int? SuccessorProcessId, string? Reason, TimeSpan Duration);
