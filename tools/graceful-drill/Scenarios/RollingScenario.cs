using Graceful.Drill.Cli;
using Graceful.Drill.Recording;
using Graceful.Harness;

namespace Graceful.Drill.Scenarios;

/// <summary>
/// A rolling restart of <paramref name="instances"/> instances of the command behind HAProxy (the bench scenario,
/// <see cref="RollingRestart"/>): from <paramref name="at"/>, <paramref name="restarts"/> restarts in turn, each one
/// SIGTERM, HAProxy told <paramref name="lag"/> later, the old instance's exit, a fresh one back in rotation, then
/// <paramref name="pause"/> before the next. The load goes through HAProxy.
/// </summary>
public sealed class RollingScenario(IReadOnlyList<string> command, int instances, int restarts, TimeSpan at, TimeSpan lag, TimeSpan pause) : IScenario
{
    private RollingRestart? _rolling;

    public string Description =>
        $"rolling restart of {instances} instances behind HAProxy: {restarts} restarts from {Durations.Format(at)}, HAProxy told {Durations.Format(lag)} after each SIGTERM, " +
        $"{Durations.Format(pause)} between restarts; {string.Join(' ', command)}";

    public async Task<Uri> PrepareAsync(CancellationToken cancellationToken)
    {
        // Not cancelled midway: the instances and HAProxy it starts are only disposed of once it returns.
        if (command.Count == 0)
        {
            throw new DrillException("A rolling restart starts its own instances: give the service's command after --.");
        }

        if (!File.Exists(HaproxyProcess.Program))
        {
            throw new DrillException($"{HaproxyProcess.Program} is missing: install Debian's haproxy package.");
        }

        _rolling = await RollingRestart.StartAsync(command[0], [.. command.Skip(1)], instances);
        return _rolling.BaseAddress;
    }

    public async Task RunAsync(DrillRecorder recorder, CancellationToken cancellationToken)
    {
        await recorder.Clock.DelayUntilAsync(at, cancellationToken);
        for (var restart = 0; restart < restarts; restart++)
        {
            await _rolling!.RestartAsync(restart % instances, lag, step => Record(recorder, step)).WaitAsync(cancellationToken);
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
