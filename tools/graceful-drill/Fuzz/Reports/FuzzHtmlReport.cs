using Graceful.Drill.Reports;

namespace Graceful.Drill.Fuzz.Reports;

/// <summary><c>fuzz.html</c>: what the run proved, the verdict, the table per moment, the worst trial and a row per trial, in one self-contained page.</summary>
internal static class FuzzHtmlReport
{
    public const string FileName = "fuzz.html";

    public static string Render(FuzzReport report)
    {
        var page = new HtmlPage(report.Title);
        page.Add($"<p>{report.Scenario}<br>Mix: {string.Join(", ", report.Load.Mix)}; {report.Load.Protocol}; timeout {report.Load.RequestTimeoutMs:0} ms<br>");
        page.Add($"Seed {report.Seed}; started {report.StartedAt:yyyy-MM-dd HH:mm:ss zzz}, {report.DurationMs / 1000:0.0} s.</p>\n<p><b>Proved: {report.Proved}</b></p>\n");
        page.Add(report.Verdict);

        page.Add($"<h2>Per moment</h2>\n<table><tr><th class=\"text\">moment</th><th>trials</th><th>requests</th><th>ok</th><th>lost</th><th>trials with a loss</th><th>refused</th><th>timed out</th><th>unexpected</th><th class=\"text\">bound at 95 %</th></tr>\n");
        foreach (var m in report.PerMoment.Append(report.Overall))
        {
            page.Add($"<tr><td class=\"text\">{m.Moment}</td><td>{m.Trials}</td><td>{m.Requests}</td><td>{m.Ok}</td><td>{m.Lost}</td><td>{m.TrialsWithLoss}</td><td>{m.Refused}</td><td>{m.TimedOut}</td><td>{m.Unexpected}</td><td class=\"text\">{m.Bound}</td></tr>\n");
        }

        page.Add($"</table>\n");
        if (report.Worst is { } worst)
        {
            page.Add($"<h2>Worst trial: {worst.Number}</h2>\n<p>{worst.Moment}, seed {worst.Seed}, signal {FuzzConsoleReport.Offset(worst.SignalOffsetMs)} from the moment: {worst.Probe}. Run it again with <code>{worst.Reproduce}</code>.</p>\n<ul>\n");
            foreach (var failure in worst.Failures)
            {
                page.Add($"<li>{failure}</li>\n");
            }

            page.Add($"</ul>\n");
        }

        page.Add($"<h2>Trials</h2>\n<table><tr><th>trial</th><th class=\"text\">moment</th><th>seed</th><th>signal from the moment</th><th>requests</th><th>ok</th><th>lost</th><th>refused</th><th>timed out</th><th class=\"text\">probe</th></tr>\n");
        foreach (var t in report.Trials)
        {
            page.Add($"<tr><td>{t.Number}</td><td class=\"text\">{t.Moment}</td><td>{t.Seed}</td><td>{FuzzConsoleReport.Offset(t.SignalOffsetMs)}</td><td>{t.Requests.Count}</td><td>{t.Ok}</td><td>{t.Lost}</td><td>{t.Refused}</td><td>{t.TimedOut}</td><td class=\"text\">{t.Probe}</td></tr>\n");
        }

        page.Add($"</table>\n<p>Every request of every trial is in <code>{FuzzJson.FileName}</code> beside this page.</p>\n");
        return page.ToString();
    }
}
