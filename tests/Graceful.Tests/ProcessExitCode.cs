namespace Graceful.Tests;

/// <summary>
/// Test classes whose in-process app sets or reads <see cref="Environment.ExitCode"/>, of which a process has one: a
/// drain cut by its deadline sets it, the shutdown report reads it, and each of these tests resets it to 0. In parallel
/// they would read each other's value; in this collection they run one at a time, with no other test running.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessExitCode
{
    public const string Name = "Environment.ExitCode";
}
