using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Targets;

/// <summary>
/// What a fuzz trial fires at: a service started afresh for each trial and stopped by a signal
/// (<see cref="SignalTrials"/>), or one generation after another of a service upgraded in place (<see cref="UpgradeTrials"/>).
/// </summary>
internal interface ITrialTarget : IAsyncDisposable
{
    /// <summary>What each trial fires, for the report: <c>SIGTERM</c>, <c>SIGHUP (in-place upgrade)</c>.</summary>
    string Action { get; }

    /// <summary>A service ready for the next trial; returns where it answers.</summary>
    Task<Uri> ReadyAsync(CancellationToken cancellationToken);

    /// <summary>Sends the trial's signal; returns the pid it went to.</summary>
    int Fire();

    /// <summary>Waits until what the signal started is over (the service exited; the successor took over and the old process exited).</summary>
    Task<ProcessExit> CompleteAsync(DrillClock clock, CancellationToken cancellationToken);

    /// <summary>After the last trial: stops what is still running.</summary>
    Task FinishAsync();
}
