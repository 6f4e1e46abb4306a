using System.Globalization;
using Graceful.Drill.Judging;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz;

/// <summary>
/// One trial as it happened, times in ms on the trial's own clock: the moment's probe, when the signal went and how far
/// from the moment (<see cref="SignalOffsetMs"/>, negative: before it), every request with its outcome, and how the
/// process ended. A trial <see cref="Lost"/> a request when one was sent on an open connection and answered by EOF or a reset.
/// </summary>
public sealed record TrialResult(
    int Number,
    int Seed,
    string Moment,
    string Probe,
    double SignalAt,
    double? SignalOffsetMs,
    long Ok,
    long NonSuccess,
    long Lost,
    long Refused,
    long TimedOut,
    StatusCheck Statuses,
    ProcessExit? Exit,
    double DurationMs,
    IReadOnlyList<RequestRecord> Requests)
{
    /// <summary>The arguments that run this trial again alone (with the rest of the command line).</summary>
    public string Reproduce => string.Create(CultureInfo.InvariantCulture, $"--fuzz 1 --seed {Seed} --moments {Moment}");

    public bool Failed => Lost > 0 || TimedOut > 0 || Statuses.Unexpected > 0;

    public static TrialResult Of(TrialPlan plan, string probe, double signalAt, double? momentAt, IReadOnlyList<RequestRecord> requests, ExpectedStatuses expected,
        ProcessExit? exit, double durationMs)
    {
        long Count(Outcome outcome) => requests.LongCount(r => r.Outcome == outcome);
        var answered = requests.Where(r => r.Outcome is Outcome.Ok or Outcome.NonSuccess).ToArray();
        return new TrialResult(plan.Number, plan.Seed, Moments.Name(plan.Moment), probe, signalAt, signalAt - momentAt, Count(Outcome.Ok), Count(Outcome.NonSuccess),
            Count(Outcome.Lost), Count(Outcome.Refused), Count(Outcome.TimedOut), StatusCheck.Of(answered, expected, signalAt), exit, durationMs, requests);
    }

    /// <summary>The requests that failed, each in words: what, on which connection, when from the signal, how.</summary>
    public IEnumerable<string> DescribeFailures() => Requests
        .Where(r => r.Outcome is Outcome.Lost or Outcome.TimedOut || (r.Outcome is Outcome.NonSuccess && r.Status is { } s && Statuses.UnexpectedByStatus.ContainsKey(s)))
        .Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Method} {r.Path} on connection {r.Worker}, sent {r.Start - SignalAt:+0.0;-0.0;0.0} ms from the signal: {r.Outcome}{(r.Status is { } status ? $" {status}" : "")}{(r.Error is { } e ? $" ({e})" : "")}"));
}
