using System.Diagnostics;
using System.Globalization;
using Graceful.Drill.Fuzz.Probes;
using Graceful.Drill.Fuzz.Reports;
using Graceful.Drill.Fuzz.Targets;
using Graceful.Drill.Recording;
using Graceful.Drill.Target;
using Spectre.Console;

namespace Graceful.Drill.Fuzz;

/// <summary>
/// <c>--fuzz N</c>: N trials, one after the other. Each trial gets a service ready (a fresh one, or the current
/// generation of an upgraded one), lets its moment's probe open and warm its connections, then fires the signal at a
/// random offset from the moment the probe acts, waits until the service exited (or the upgrade completed) and every
/// request has its outcome. Each trial is bounded by <c>--max-duration</c>, each request by <c>--timeout</c>. The run
/// then reports per moment the trials and losses, the worst trial, and a 95 % upper bound on the loss rate.
/// Exit codes as a drill's: 0 passed, 1 failed (any request lost, by default), 2 could not run (reports of the trials done are written).
/// </summary>
internal static class FuzzRunner
{
    public static async Task<int> RunAsync(ITrialTarget target, FuzzSettings fuzz, DrillSettings settings, TargetSpec service, IAnsiConsole console,
        CancellationToken interrupted)
    {
        var scenario = string.Create(CultureInfo.InvariantCulture, $"{fuzz.Trials} trials of {target.Action} at random moments to {service.Describe()}");
        var startedAt = DateTimeOffset.Now;
        var elapsed = Stopwatch.StartNew();
        var trials = new List<TrialResult>();
        string? error = null;
        console.MarkupLineInterpolated($"[bold]{settings.Title}[/]: {scenario}");
        console.MarkupLineInterpolated($"Moments, taking turns: {string.Join(", ", fuzz.Moments.Select(Moments.Name))}; seed {fuzz.Seed} (--seed {fuzz.Seed} repeats them)");
        await using (target)
        {
            try
            {
                for (var i = 0; i < fuzz.Trials; i++)
                {
                    var plan = TrialPlan.For(fuzz.Seed, i, fuzz.Moments);
                    try
                    {
                        var trial = await RunTrialAsync(plan, target, fuzz, settings, i == 0 ? console : null, interrupted);
                        trials.Add(trial);
                        FuzzConsoleReport.WriteTrial(console, trial, fuzz.Trials);
                    }
                    catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
                    {
                        error = string.Create(CultureInfo.InvariantCulture, $"Interrupted after {trials.Count} of {fuzz.Trials} trials; the service was stopped.");
                        break;
                    }
                    catch (Exception e)
                    {
                        var reason = e is OperationCanceledException
                            ? string.Create(CultureInfo.InvariantCulture, $"it did not complete within --max-duration {settings.MaxDuration.TotalSeconds:0.#} s")
                            : CouldNotRun.Describe(e).Line;
                        error = $"Trial {plan.Number} ({Moments.Name(plan.Moment)}, seed {plan.Seed}) could not run: {reason}";
                        break;
                    }
                }
            }
            finally
            {
                await target.FinishAsync();
            }
        }

        var report = FuzzReport.Of(settings, fuzz, scenario, target.Action, startedAt, elapsed.Elapsed.TotalMilliseconds, trials, error);
        await FuzzJson.WriteAsync(report, settings.OutputFolder);
        FuzzConsoleReport.Write(console, report, settings.OutputFolder);
        if (report.Verdict.Error is { } couldNotRun)
        {
            CouldNotRun.WriteLine(couldNotRun);
            return CouldNotRun.ExitCode;
        }

        return report.Verdict.Passed ? DrillRunner.Passed : DrillRunner.Failed;
    }

    /// <summary>One trial; with <paramref name="preflight"/> (the first), the drill's preflight first: a service that cannot answer the mix at all is no trial of losses.</summary>
    private static async Task<TrialResult> RunTrialAsync(TrialPlan plan, ITrialTarget target, FuzzSettings fuzz, DrillSettings settings, IAnsiConsole? preflight,
        CancellationToken interrupted)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        bound.CancelAfter(settings.MaxDuration);
        var address = await target.ReadyAsync(bound.Token);
        if (preflight is not null && await DrillRunner.PreflightAsync(settings, address, preflight) is { } refusal)
        {
            throw new DrillException(refusal);
        }

        var clock = new DrillClock();
        var context = new ProbeContext(address, settings.Load, clock, plan.Seed, fuzz.Burst);
        using var probe = MomentProbes.Create(plan.Moment, context);
        await probe.PrepareAsync(bound.Token);

        var (from, to) = probe.SignalWindow;
        var momentAt = clock.Now + probe.Lead;
        var acting = probe.ActAsync(momentAt, bound.Token);
        await Scenarios.ScenarioClock.DelayUntilAsync(clock, TimeSpan.FromMilliseconds(momentAt + context.Uniform(from, to)), bound.Token);
        // Timed before it is sent: whatever the signal causes comes after this time.
        var signalAt = clock.Now;
        target.Fire();
        var exit = await target.CompleteAsync(clock, bound.Token);
        await acting.WaitAsync(bound.Token);
        return TrialResult.Of(plan, probe.Describe(), signalAt, probe.MomentAt, probe.Requests, settings.ExpectStatus, exit, clock.Now);
    }
}
