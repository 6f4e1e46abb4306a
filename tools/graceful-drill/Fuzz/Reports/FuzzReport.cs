using Graceful.Drill.Reports;

namespace Graceful.Drill.Fuzz.Reports;

/// <summary>
/// Everything a fuzz run found, as <c>fuzz.json</c> holds it: per moment the trials and losses and the bound, the worst
/// trial (with what was lost and how to run it again), the sentence a CI gate can quote (<see cref="Proved"/>), the verdict, and every trial.
/// </summary>
public sealed record FuzzReport(
    string Title,
    string Scenario,
    string Action,
    LoadProfileReport Load,
    int Seed,
    int TrialsAsked,
    IReadOnlyList<string> Moments,
    int Burst,
    DateTimeOffset StartedAt,
    double DurationMs,
    MomentSummary Overall,
    IReadOnlyList<MomentSummary> PerMoment,
    WorstTrial? Worst,
    string Proved,
    Verdict Verdict,
    IReadOnlyList<TrialResult> Trials)
{
    public static FuzzReport Of(DrillSettings settings, FuzzSettings fuzz, string scenario, string action, DateTimeOffset startedAt, double durationMs,
        IReadOnlyList<TrialResult> trials, string? error)
    {
        var names = fuzz.Moments.Select(Fuzz.Moments.Name).ToArray();
        var overall = MomentSummary.Of("all", trials);
        var perMoment = names.Select(name => MomentSummary.Of(name, [.. trials.Where(t => t.Moment == name)])).ToArray();
        var worst = WorstTrial.Of(trials);
        var proved = $"{action}: {overall.Bound}";
        return new FuzzReport(settings.Title, scenario, action, LoadProfileReport.Of(settings.Load), fuzz.Seed, fuzz.Trials, names, fuzz.Burst, startedAt, durationMs,
            overall, perMoment, worst, proved, FuzzJudge.Judge(trials, perMoment, worst, settings, error), trials);
    }
}

/// <summary>The trial that failed worst (most lost, then timed out, then unexpected statuses): its seed, moment and what failed.</summary>
public sealed record WorstTrial(int Number, int Seed, string Moment, string Probe, double? SignalOffsetMs, long Lost, long TimedOut, long Unexpected,
    IReadOnlyList<string> Failures, string Reproduce)
{
    public static WorstTrial? Of(IReadOnlyList<TrialResult> trials)
    {
        var worst = trials.Where(t => t.Failed).OrderByDescending(t => t.Lost).ThenByDescending(t => t.TimedOut).ThenByDescending(t => t.Statuses.Unexpected)
            .ThenBy(t => t.Number).FirstOrDefault();
        return worst is null ? null : new WorstTrial(worst.Number, worst.Seed, worst.Moment, worst.Probe, worst.SignalOffsetMs, worst.Lost, worst.TimedOut,
            worst.Statuses.Unexpected, [.. worst.DescribeFailures()], worst.Reproduce);
    }
}
