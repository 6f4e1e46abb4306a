using Graceful.Drill.Recording;
using Graceful.Drill.Scenarios;
using Graceful.Drill.Target;
using Graceful.Harness;

namespace Graceful.Drill.Fuzz.Targets;

/// <summary>A service started from its command line for each trial, as a drill starts it, and stopped by the trial's signal.</summary>
internal sealed class SignalTrials : ITrialTarget
{
    private readonly TargetSpec _spec;
    private readonly TimedSignal _signal;
    private ServiceTarget? _target;

    public SignalTrials(TargetSpec spec, TimedSignal signal)
    {
        _spec = spec.Pid is null ? spec : throw new DrillException("--pid: each --fuzz trial of `signal` starts the service afresh; give its command after -- instead.");
        _signal = signal;
    }

    public string Action => $"SIG{_signal.Name}";

    public async Task<Uri> ReadyAsync(CancellationToken cancellationToken)
    {
        await DisposeAsync();
        _target = await _spec.OpenAsync(cancellationToken);
        return _target.BaseAddress;
    }

    public int Fire()
    {
        Signals.Send(_target!.Pid, _signal.Number);
        return _target.Pid;
    }

    public async Task<ProcessExit> CompleteAsync(DrillClock clock, CancellationToken cancellationToken)
    {
        var target = _target!;
        var exitedAt = clock.ToMilliseconds(await target.Exited.WaitAsync(cancellationToken));
        return new ProcessExit(target.Pid, "service", exitedAt, await target.ExitCodeAsync(TimeSpan.FromSeconds(10)));
    }

    public Task FinishAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
            _target = null;
        }
    }
}
