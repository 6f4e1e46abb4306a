using System.Globalization;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Reports;

/// <summary>
/// A single self-contained HTML page: verdict, summary, exits, markers and the timeline PNG embedded as a data URI, so
/// the file can be archived as a CI artifact and opened anywhere.
/// </summary>
public static class HtmlReport
{
    public static string Render(DrillReport report, byte[] timelinePng)
    {
        var s = report.Summary;
        var page = new HtmlPage(report.Title);
        void Add(FormattableString text) => page.Add(text);

        Add($"<p>{report.Scenario}<br>Load: {report.Load.Describe()}<br>Started {report.StartedAt:yyyy-MM-dd HH:mm:ss zzz}, recorded {s.DurationMs / 1000:0.00} s.</p>\n\n");
        page.Add(report.Verdict);

        foreach (var warning in report.Warnings)
        {
            Add($"<p class=\"warning\">Warning: {warning}</p>\n");
        }

        Add($"<h2>Requests</h2>\n<table><tr><th>requests</th>");
        foreach (var outcome in Enum.GetValues<Outcome>())
        {
            Add($"<th><span class=\"swatch\" style=\"background:{OutcomeColors.Hex(outcome)}\"></span>{OutcomeColors.Label(outcome)}</th>");
        }

        Add($"<th>not sent</th><th>requests/s</th></tr>\n<tr><td>{s.Requests}</td><td>{s.Ok}</td><td>{s.NonSuccess}</td><td>{s.Lost}</td><td>{s.Refused}</td><td>{s.TimedOut}</td>");
        Add($"<td>{report.Unsent}</td><td>{ConsoleReport.Rate(s, report.Load.Rate)}</td></tr></table>\n<p>{ConsoleReport.Statuses(s.Statuses)}</p>\n");

        Add($"<h2>Latency of answered requests (ms)</h2>\n<table><tr><th class=\"text\">measured from</th><th>p50</th><th>p99</th><th>max</th></tr>\n");
        Add($"<tr><td class=\"text\">sent: when the request was written, the service's time</td><td>{Ms(s.LatencyFromSent.P50Ms)}</td><td>{Ms(s.LatencyFromSent.P99Ms)}</td><td>{Ms(s.LatencyFromSent.MaxMs)}</td></tr>\n");
        Add($"<tr><td class=\"text\">scheduled: when the pace wanted it sent, any wait for a free connection included</td><td>{Ms(s.LatencyFromScheduled.P50Ms)}</td><td>{Ms(s.LatencyFromScheduled.P99Ms)}</td><td>{Ms(s.LatencyFromScheduled.MaxMs)}</td></tr></table>\n");
        Add($"<p>With a paced load, latency from schedule is the honest figure: a request that waited for a connection waited for the service all the same (coordinated omission). Unpaced, each request is due when its connection is free, and the two are the same.</p>\n");

        Add($"<h2>Timeline</h2>\n<img alt=\"timeline: requests per 10 ms by outcome, with markers\" src=\"data:image/png;base64,{Convert.ToBase64String(timelinePng)}\">\n");

        Add($"<h2>Service processes</h2>\n<table><tr><th>pid</th><th class=\"text\">role</th><th>exited at (ms)</th><th>exit code</th></tr>\n");
        foreach (var exit in report.Exits)
        {
            Add($"<tr><td>{exit.Pid}</td><td class=\"text\">{exit.Role}</td><td>{Ms(exit.At)}</td><td>{(exit.ExitCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "unknown")}</td></tr>\n");
        }

        Add($"</table>\n");
        foreach (var restart in report.NewConnections ?? [])
        {
            Add($"<p>{ConsoleReport.NewConnections(restart)}</p>\n");
        }

        Add($"<h2>Markers</h2>\n<table><tr><th>at (ms)</th><th class=\"text\">kind</th><th class=\"text\">what</th></tr>\n");
        foreach (var marker in report.Markers)
        {
            Add($"<tr><td>{marker.At:0.0}</td><td class=\"text\"><span class=\"swatch\" style=\"background:{OutcomeColors.Hex(marker.Kind)}\"></span>{OutcomeColors.Label(marker.Kind)}</td><td class=\"text\">{marker.Label}</td></tr>\n");
        }

        Add($"""
            </table>
            <p>Lost: sent on an open connection and answered by EOF or a reset. Refused: the connection was refused before
            anything was sent. Declined: answered 503 with Retry-After after a signal, a draining service turning the
            request away unrun. Every request is in <code>drill.json</code> beside this page.</p>

            """);
        return page.ToString();
    }

    private static string Ms(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
