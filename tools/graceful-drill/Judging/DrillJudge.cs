using System.Globalization;
using Graceful.Drill.Recording;
using Graceful.Drill.Reports;

namespace Graceful.Drill.Judging;

/// <summary>
/// Whether a drill passed. It fails when it tested nothing (no request sent, none answered, none answered with an
/// expected status), when more responses than <c>--max-unexpected</c> had a status outside <c>--expect-status</c>,
/// when more than <c>--max-lost</c> requests were lost, when any request timed out, or when a service process exited with another code than
/// <c>--expect-exit-code</c>. Each reason is one line.
/// </summary>
public static class DrillJudge
{
    public static Verdict Judge(DrillSummary summary, IReadOnlyList<ProcessExit> exits, DrillSettings settings, string? error)
    {
        var reasons = new List<string>();
        var statuses = summary.Statuses;
        if (summary.Requests == 0)
        {
            reasons.Add("No request was sent: the run tested nothing.");
        }
        else if (statuses.Answered == 0)
        {
            reasons.Add(Line($"None of the {summary.Requests} requests got a response ({summary.Refused} refused, {summary.TimedOut} timed out, {summary.Lost} lost): the run tested nothing."));
        }
        else if (statuses.Expected == 0)
        {
            reasons.Add(Line($"None of the {statuses.Answered} responses had an expected status (--expect-status {statuses.ExpectStatus}): {Unexpected(statuses)}. Check the --request paths and --expect-status."));
        }
        else if (statuses.Unexpected > settings.MaxUnexpected)
        {
            reasons.Add(Line($"{statuses.Unexpected} of {statuses.Answered} responses had an unexpected status ({statuses.DescribeUnexpected()}); --expect-status {statuses.ExpectStatus}, at most {settings.MaxUnexpected} allowed (--max-unexpected)."));
        }

        if (summary.Lost > settings.MaxLost)
        {
            reasons.Add(Line($"{summary.Lost} requests lost (sent, then EOF or reset); at most {settings.MaxLost} allowed (--max-lost)."));
        }

        // A request left without an answer is one its client gave up on: a drain that hangs requests is no pass.
        if (summary.TimedOut > 0 && statuses.Answered > 0)
        {
            reasons.Add(Line($"{summary.TimedOut} requests got no complete response within --timeout ({settings.Load.RequestTimeout.TotalSeconds:0.###} s): their clients gave up. Raise --timeout if the service's handlers take longer."));
        }

        if (settings.ExpectExitCode is { } expected)
        {
            foreach (var exit in exits.Where(e => e.ExitCode is { } code && code != expected))
            {
                reasons.Add(Line($"pid {exit.Pid} ({exit.Role}) exited with code {exit.ExitCode}, expected {expected} (--expect-exit-code)."));
            }
        }

        return new Verdict(reasons.Count == 0 && error is null, reasons, error);
    }

    private static string Unexpected(StatusCheck statuses) =>
        statuses.Declined == 0 ? statuses.DescribeUnexpected()
        : Line($"{statuses.DescribeUnexpected()}{(statuses.Unexpected > 0 ? ", " : "")}{statuses.Declined} declined while draining (503 with Retry-After)");

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
