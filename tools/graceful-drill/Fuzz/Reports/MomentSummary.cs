using System.Globalization;
using Graceful.Harness;

namespace Graceful.Drill.Fuzz.Reports;

/// <summary>
/// The trials of one moment (or of all, <c>Moment = "all"</c>): their requests by outcome, how many trials lost a request,
/// and the 95 % upper bound on the loss rate, the share of trials at such a moment that lose a request (<see cref="LossBound"/>).
/// </summary>
public sealed record MomentSummary(
    string Moment,
    long Trials,
    long Requests,
    long Ok,
    long Lost,
    long Refused,
    long TimedOut,
    long Unexpected,
    long TrialsWithLoss,
    double LossRateUpperBound,
    string Bound)
{
    public const double Confidence = 0.95;

    public static MomentSummary Of(string moment, IReadOnlyList<TrialResult> trials)
    {
        long withLoss = trials.Count(t => t.Lost > 0), lost = trials.Sum(t => t.Lost);
        var upper = LossBound.Upper(withLoss, trials.Count, Confidence);
        return new MomentSummary(moment, trials.Count, trials.Sum(t => t.Requests.Count), trials.Sum(t => t.Ok), lost, trials.Sum(t => t.Refused),
            trials.Sum(t => t.TimedOut), trials.Sum(t => t.Statuses.Unexpected), withLoss, upper, Statement(lost, withLoss, trials.Count, upper));
    }

    /// <summary>
    /// What the trials prove, in words a CI gate can quote: <c>0 lost in 200 trials: loss rate &lt; 1.5 % at 95 % (rule of three)</c>,
    /// or <c>7 lost in 3 of 200 trials: loss rate &lt; 3.9 % at 95 % (Clopper-Pearson)</c>.
    /// </summary>
    public static string Statement(long lostRequests, long trialsWithLoss, long trials, double upper)
    {
        var bound = Percent(upper);
        var lost = trialsWithLoss == 0 ? $"0 lost in {trials} trials" : $"{lostRequests} lost in {trialsWithLoss} of {trials} trials";
        return trials == 0 ? "no trial: nothing proved" : string.Create(CultureInfo.InvariantCulture, $"{lost}: loss rate < {bound} % at 95 % ({LossBound.Method(trialsWithLoss)})");
    }

    /// <summary>A rate in per cent, to two significant digits or so: <c>50</c>, <c>1.5</c>, <c>0.15</c>.</summary>
    public static string Percent(double rate)
    {
        var percent = rate * 100;
        return percent.ToString(percent >= 10 ? "0" : percent >= 1 ? "0.#" : "0.##", CultureInfo.InvariantCulture);
    }
}
