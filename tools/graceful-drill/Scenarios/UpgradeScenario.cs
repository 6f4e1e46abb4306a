using System.Globalization;
using Graceful.Drill.Cli;
using Graceful.Drill.Recording;
using Graceful.Drill.Target;
using Graceful.Harness;

namespace Graceful.Drill.Scenarios;

/// <summary>
/// Repeated in-place upgrades: SIGHUP to the pid the pid file names (the started process at first), then wait until
/// the pid file names a new pid and the old process has exited; the next upgrade starts <paramref name="every"/> after
/// the previous SIGHUP, or as soon as it completed if that took longer. The service is expected to hand its listening
/// sockets to the new process, as Graceful's upgrade does: clients should see nothing but answers.
/// </summary>
public sealed class UpgradeScenario(TargetSpec spec, string pidFile, int count, TimeSpan at, TimeSpan every, TimeSpan stepTimeout) : IScenario
{
    private ServiceTarget? _target;
    private int _current;

    public string Description =>
        $"{count} in-place upgrades (SIGHUP, pid file {pidFile}) from {Durations.Format(at)}, every {Durations.Format(every)}, of {spec.Describe()}";

    public async Task<Uri> PrepareAsync(CancellationToken cancellationToken)
    {
        _target = await spec.OpenAsync(cancellationToken);
        _current = PidFiles.Read(pidFile) ?? _target.Pid;
        return _target.BaseAddress;
    }

    public async Task RunAsync(DrillRecorder recorder, CancellationToken cancellationToken)
    {
        for (var upgrade = 0; upgrade < count; upgrade++)
        {
            await recorder.Clock.DelayUntilAsync(at + (every * upgrade), cancellationToken);
            var old = _current;
            var oldExited = WatchExit(old);
            var sentAt = recorder.Clock.Now;
            Signals.Send(old, Signals.SIGHUP);
            recorder.Mark(MarkerKind.Signal, $"SIGHUP → pid {old}", sentAt);

            using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            step.CancelAfter(stepTimeout);
            try
            {
                _current = (await PidFileWatch.WaitForChangeAsync(pidFile, old, stepTimeout, step.Token))?.Pid
                    ?? throw new OperationCanceledException(step.Token);
                recorder.Mark(MarkerKind.Step, $"pid file names {_current}");
                var exitedAt = recorder.Clock.ToMilliseconds(await oldExited.WaitAsync(step.Token));
                recorder.Mark(MarkerKind.Exit, $"pid {old} exited", exitedAt);
                if (old != _target!.Pid)
                {
                    // The started process's exit is recorded at the end, with its code.
                    recorder.AddExit(new ProcessExit(old, $"upgrade {upgrade + 1}: old process", exitedAt, null));
                }

            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DrillException(string.Create(CultureInfo.InvariantCulture,
                    $"Upgrade {upgrade + 1}: {stepTimeout.TotalSeconds:0.#} s after SIGHUP to pid {old}, the pid file names {PidFiles.Read(pidFile)?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} and pid {old} has {(oldExited.IsCompleted ? "" : "not ")}exited."));
            }
        }
    }

    public async Task FinishAsync(DrillRecorder recorder)
    {
        var target = _target!;
        if (target.Process is null)
        {
            return;
        }

        // The drill started the service, so it stops the last generation too (it is no child of the drill's).
        var last = _current;
        var lastExited = WatchExit(last);
        if (!lastExited.IsCompleted)
        {
            await Generations.StopAsync(last, lastExited);
            if (last != target.Pid)
            {
                recorder.AddExit(new ProcessExit(last, "last generation, stopped by the drill after the load", recorder.Clock.ToMilliseconds(await lastExited), null));
            }
        }

        // The first process's code is known once every generation has let go of its output.
        var code = await target.ExitCodeAsync(TimeSpan.FromSeconds(30));
        recorder.AddExit(new ProcessExit(target.Pid, "service as started", target.Exited.IsCompleted ? recorder.Clock.ToMilliseconds(target.Exited.Result) : null, code));
    }

    public async ValueTask DisposeAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
    }

    private Task<long> WatchExit(int pid) => Generations.WatchExit(_target!, pid);
}
