using System.Globalization;
using Graceful.Drill.Reports;

namespace Graceful.Drill.Fuzz.Reports;

/// <summary>
/// Whether a fuzz run passed, by the drill's own rules summed over its trials: it fails when no trial ran or none got
/// a response (nothing tested), when more requests than <c>--max-lost</c> were lost (naming the moments that lost them
/// and the worst trial), when a request timed out, when more responses than <c>--max-unexpected</c> had a status
/// outside <c>--expect-status</c>, or when a process exited with another code than <c>--expect-exit-code</c>.
/// </summary>
internal static class FuzzJudge
{
    public static Verdict Judge(IReadOnlyList<TrialResult> trials, IReadOnlyList<MomentSummary> perMoment, WorstTrial? worst, DrillSettings settings, string? error)
    {
        var reasons = new List<string>();
        if (trials.Count == 0)
        {
            reasons.Add("No trial ran: the run tested nothing.");
        }
        else if (trials.All(t => t.Statuses.Answered == 0))
        {
            reasons.Add(Line($"No request of the {trials.Count} trials got a response: the run tested nothing."));
        }

        var lost = trials.Sum(t => t.Lost);
        if (lost > settings.MaxLost)
        {
            var where = string.Join(", ", perMoment.Where(m => m.Lost > 0).Select(m => Line($"{m.Moment} {m.Lost} in {m.TrialsWithLoss} of {m.Trials} trials")));
            reasons.Add(Line($"{lost} requests lost ({where}); at most {settings.MaxLost} allowed (--max-lost). Worst: trial {worst!.Number}, {worst.Moment}, seed {worst.Seed} ({worst.Reproduce})."));
        }

        var timedOut = trials.Sum(t => t.TimedOut);
        if (timedOut > 0)
        {
            reasons.Add(Line($"{timedOut} requests got no complete response within --timeout ({settings.Load.RequestTimeout.TotalSeconds:0.###} s), in trials {Numbers(trials.Where(t => t.TimedOut > 0))}."));
        }

        var unexpected = trials.Sum(t => t.Statuses.Unexpected);
        if (unexpected > settings.MaxUnexpected)
        {
            reasons.Add(Line($"{unexpected} responses had a status outside --expect-status {settings.ExpectStatus}, in trials {Numbers(trials.Where(t => t.Statuses.Unexpected > 0))}; at most {settings.MaxUnexpected} allowed (--max-unexpected)."));
        }

        if (settings.ExpectExitCode is { } expected)
        {
            foreach (var trial in trials.Where(t => t.Exit?.ExitCode is { } code && code != expected))
            {
                reasons.Add(Line($"Trial {trial.Number}: pid {trial.Exit!.Pid} exited with code {trial.Exit.ExitCode}, expected {expected} (--expect-exit-code)."));
            }
        }

        return new Verdict(reasons.Count == 0 && error is null, reasons, error);
    }

    private static string Numbers(IEnumerable<TrialResult> trials)
    {
        var numbers = trials.Select(t => t.Number.ToString(CultureInfo.InvariantCulture)).ToArray();
        return numbers.Length <= 10 ? string.Join(", ", numbers) : $"{string.Join(", ", numbers.Take(10))} and {numbers.Length - 10} more";
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
