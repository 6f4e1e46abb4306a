namespace Graceful.Tests;

/// <summary>
/// Test classes that observe something a process has only one of (an OpenTelemetry meter provider subscribes to a meter
/// by name across the process): in this collection they run one at a time, with no other test running.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
