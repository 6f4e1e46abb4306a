using Graceful.Drill.Recording;

namespace Graceful.Drill.Scenarios;

/// <summary>
/// What happens to the service while the load runs. The drill calls <see cref="PrepareAsync"/> (start or attach),
/// starts the load and its clock, runs <see cref="RunAsync"/> until the scenario is over, stops the load, and then
/// <see cref="FinishAsync"/> stops whatever is still running and records exit codes learnt only then.
/// </summary>
public interface IScenario : IAsyncDisposable
{
    /// <summary>One line for the report: what was done, when.</summary>
    string Description { get; }

    /// <summary>Starts or attaches to the service; returns the address the load goes to.</summary>
    Task<Uri> PrepareAsync(CancellationToken cancellationToken);

    Task RunAsync(DrillRecorder recorder, CancellationToken cancellationToken);

    Task FinishAsync(DrillRecorder recorder);
}
