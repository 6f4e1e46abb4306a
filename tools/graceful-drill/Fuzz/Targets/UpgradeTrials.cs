using System.Globalization;
using Graceful.Drill.Recording;
using Graceful.Drill.Target;
using Graceful.Harness;

namespace Graceful.Drill.Fuzz.Targets;

/// <summary>
/// One service upgraded in place once per trial: SIGHUP to the pid the pid file names, then the trial waits until the
/// file names a successor and the old process has exited (each within <paramref name="stepTimeout"/>). The listener
/// changes hands, so every trial goes to the same address; the last generation is stopped after the last trial.
/// </summary>
internal sealed class UpgradeTrials(TargetSpec spec, string pidFile, TimeSpan stepTimeout) : ITrialTarget
{
    private ServiceTarget? _target;
    private int _current;
    private int _old;
    private Task<long>? _oldExited;

    public string Action => "SIGHUP (in-place upgrade)";

    public async Task<Uri> ReadyAsync(CancellationToken cancellationToken)
    {
        if (_target is null)
        {
            _target = await spec.OpenAsync(cancellationToken);
            _current = PidFiles.Read(pidFile) ?? _target.Pid;
        }

        return _target.BaseAddress;
    }

    public int Fire()
    {
        _old = _current;
        _oldExited = WatchExit(_old);
        Signals.Send(_old, Signals.SIGHUP);
        return _old;
    }

    public async Task<ProcessExit> CompleteAsync(DrillClock clock, CancellationToken cancellationToken)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(stepTimeout);
        try
        {
            _current = (await PidFileWatch.WaitForChangeAsync(pidFile, _old, stepTimeout, step.Token))?.Pid ?? throw new OperationCanceledException(step.Token);
            var exitedAt = clock.ToMilliseconds(await _oldExited!.WaitAsync(step.Token));
            // No exit code: successors are not the drill's children, and the started process's code is known only once
            // every generation has let go of its output.
            return new ProcessExit(_old, $"old process, successor pid {_current}", exitedAt, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DrillException(string.Create(CultureInfo.InvariantCulture,
                $"{stepTimeout.TotalSeconds:0.#} s after SIGHUP to pid {_old}, the pid file names {PidFiles.Read(pidFile)?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} and pid {_old} has {(_oldExited!.IsCompleted ? "" : "not ")}exited (--step-timeout)."));
        }
    }

    public async Task FinishAsync()
    {
        if (_target?.Process is null)
        {
            return;
        }

        // The drill started the service, so it stops the last generation (no child of the drill's once it is a successor).
        await Generations.StopAsync(_current, WatchExit(_current));
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
