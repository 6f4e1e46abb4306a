using Graceful.Drill.Cli;
using Graceful.Drill.Recording;
using Graceful.Harness;

namespace Graceful.Drill.Scenarios;

/// <summary>
/// A rolling restart of <paramref name="instances"/> instances of the command behind a balancer (the bench scenario,
/// <see cref="RollingRestart"/>): from <paramref name="at"/>, <paramref name="restarts"/> restarts in turn, each one
/// SIGTERM, the balancer told <paramref name="lag"/> later (or finding out by its own health checks), the old
/// instance's exit, a fresh one back in rotation, then <paramref name="pause"/> before the next. The load goes through
/// the balancer.
/// </summary>
public sealed class RollingScenario(IReadOnlyList<string> command, BalancerSetup balancer, int instances, int restarts, TimeSpan at, TimeSpan lag,
    TimeSpan pause) : IScenario
{
    private RollingRestart? _rolling;

    public string Description =>
        $"rolling restart of {instances} instances behind {balancer.Description}: {restarts} restarts from {Durations.Format(at)}, " +
        (balancer.ToldFromOutside ? $"the balancer told {Durations.Format(lag)} after each SIGTERM, " : "") +
        $"{Durations.Format(pause)} between restarts; {string.Join(' ', command)}";

    public async Task<Uri> PrepareAsync(CancellationToken cancellationToken)
    {
        // Not cancelled midway: the instances and HAProxy it starts are only disposed of once it returns.
        if (command.Count == 0)
        {
            throw new DrillException("A rolling restart starts its own instances: give the service's command after --.");
        }

        if (balancer.Missing() is { } missing)
        {
            throw new DrillException($"{missing}.");
        }

        _rolling = await RollingRestart.StartAsync(command[0], [.. command.Skip(1)], instances, balancer);
        return _rolling.BaseAddress;
    }

    public async Task RunAsync(DrillRecorder recorder, CancellationToken cancellationToken)
    {
        await recorder.Clock.DelayUntilAsync(at, cancellationToken);
        for (var restart = 0; restart < restarts; restart++)
        {
            // The next restart waits until the balancer routes to the fresh instance, as a real rollout does.
            var outcome = await _rolling!.RestartAsync(restart % instances, lag, step => Record(recorder, step), waitForRotation: TimeSpan.FromSeconds(30))
                .WaitAsync(cancellationToken);
            if (outcome.NewConnectionsElsewhere is { } elsewhere)
            {
                recorder.AddNewConnections(new RestartConnections(outcome.Server, elsewhere.Total, elsewhere.PeakPerSecond, elsewhere.PeakIn100Ms));
            }

            await Task.Delay(pause, cancellationToken);
        }
    }

    public Task FinishAsync(DrillRecorder recorder) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_rolling is not null)
        {
            await _rolling.DisposeAsync();
        }
    }

    private static void Record(DrillRecorder recorder, RestartStep step)
    {
        var at = recorder.Clock.ToMilliseconds(step.At);
        switch (step.Kind)
        {
            case RestartStepKind.Signalled:
                recorder.Mark(MarkerKind.Signal, $"SIGTERM → {step.Server} (pid {step.Pid})", at);
                break;
            case RestartStepKind.OutOfRotation:
                recorder.Mark(MarkerKind.Step, $"{step.Server} out of rotation", at);
                break;
            case RestartStepKind.Exited:
                recorder.Mark(MarkerKind.Exit, $"{step.Server} (pid {step.Pid}) exited, code {step.ExitCode}", at);
                recorder.AddExit(new ProcessExit(step.Pid, step.Server, at, step.ExitCode));
                break;
            case RestartStepKind.InRotation:
                recorder.Mark(MarkerKind.Step, $"{step.Server} back in rotation (pid {step.Pid})", at);
                break;
            case RestartStepKind.Started:
            default:
                break;
        }
    }
}
