using System.Text.RegularExpressions;
using Graceful.Drill.Recording;
using Graceful.Drill.Target;
using Graceful.Harness;

namespace Graceful.Drill.Scenarios;

/// <summary>
/// Sends signals to the service at chosen times (TERM, INT, QUIT, HUP; a second one tests forced shutdown). When one
/// of them asks the service to stop, the scenario is over once it has exited. A started service's log is watched for
/// the line saying its listeners closed (<paramref name="listenerClosedLog"/>; Graceful's phase 1 line by default).
/// </summary>
public sealed class SignalScenario(TargetSpec spec, IReadOnlyList<TimedSignal> signals, Regex? listenerClosedLog) : IScenario
{
    private ServiceTarget? _target;

    public string Description => $"{string.Join(", then ", signals)} to {spec.Describe()}";

    public async Task<Uri> PrepareAsync(CancellationToken cancellationToken)
    {
        _target = await spec.OpenAsync(cancellationToken);
        return _target.BaseAddress;
    }

    public async Task RunAsync(DrillRecorder recorder, CancellationToken cancellationToken)
    {
        var target = _target!;
        _ = WatchLogAsync(target, recorder, cancellationToken);
        foreach (var signal in signals)
        {
            await recorder.Clock.DelayUntilAsync(signal.At, cancellationToken);
            if (target.Exited.IsCompleted)
            {
                break;
            }

            // Timed before it is sent: whatever the signal causes (a reset, a refused connect) comes after its marker,
            // however late this thread runs again.
            var sentAt = recorder.Clock.Now;
            Signals.Send(target.Pid, signal.Number);
            recorder.Mark(MarkerKind.Signal, $"SIG{signal.Name} → pid {target.Pid}", sentAt);
        }

        if (signals.Any(s => s.Stops))
        {
            var exitedAt = recorder.Clock.ToMilliseconds(await target.Exited.WaitAsync(cancellationToken));
            var code = await target.ExitCodeAsync(TimeSpan.FromSeconds(10));
            recorder.Mark(MarkerKind.Exit, code is null ? $"pid {target.Pid} exited" : $"pid {target.Pid} exited, code {code}", exitedAt);
            recorder.AddExit(new ProcessExit(target.Pid, "service", exitedAt, code));
        }
    }

    public async Task FinishAsync(DrillRecorder recorder)
    {
        var target = _target!;
        if (target.Exited.IsCompleted)
        {
            LoadSideMarkers.AddLastResponse(recorder, recorder.Clock.ToMilliseconds(target.Exited.Result));
            return;
        }

        if (target.Process is null)
        {
            return;
        }

        // Still running (only HUP was sent): stop it as a deploy would, outside the recorded load.
        Signals.Send(target.Pid, Signals.SIGTERM);
        var code = await target.ExitCodeAsync(TimeSpan.FromSeconds(60));
        recorder.AddExit(new ProcessExit(target.Pid, "service, stopped by the drill after the load", recorder.Clock.ToMilliseconds(await target.Exited), code));
    }

    public async ValueTask DisposeAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
    }

    private async Task WatchLogAsync(ServiceTarget target, DrillRecorder recorder, CancellationToken cancellationToken)
    {
        if (target.Process is null || listenerClosedLog is null)
        {
            return;
        }

        try
        {
            await target.Process.WaitForLineAsync(listenerClosedLog.IsMatch, TimeSpan.FromHours(1)).WaitAsync(cancellationToken);
            recorder.Mark(MarkerKind.ListenerClosed, "listener closed (service log)");
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // The service never said so: the load side's first refused connect still marks it.
        }
    }
}
