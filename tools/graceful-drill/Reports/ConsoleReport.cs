using System.Globalization;
using Graceful.Drill.Recording;
using Spectre.Console;

namespace Graceful.Drill.Reports;

/// <summary>The summary table printed at the end, and the verdict under it.</summary>
public static class ConsoleReport
{
    public static void Write(IAnsiConsole console, DrillReport report, string outputFolder)
    {
        var s = report.Summary;
        var table = new Table().Title(report.Title).Border(TableBorder.Rounded);
        table.AddColumns("requests", "[green]ok[/]", "[orange1]non-2xx[/]", "[red]lost[/]", "[grey]refused[/]", "[purple]timed out[/]", "not sent", "p50 ms", "p99 ms", "max ms");
        table.AddRow(N(s.Requests), N(s.Ok), N(s.NonSuccess), N(s.Lost), N(s.Refused), N(s.TimedOut), N(report.Unsent), Ms(s.LatencyP50Ms), Ms(s.LatencyP99Ms), Ms(s.LatencyMaxMs));
        console.Write(table);

        var events = new Table().Border(TableBorder.Simple).AddColumns("at (ms)", "marker");
        foreach (var marker in report.Markers)
        {
            events.AddRow(marker.At.ToString("0.0", CultureInfo.InvariantCulture), Markup.Escape($"{OutcomeColors.Label(marker.Kind)}: {marker.Label}"));
        }

        foreach (var exit in report.Exits)
        {
            events.AddRow(exit.At?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape($"exit code of pid {exit.Pid} ({exit.Role}): {exit.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}"));
        }

        console.Write(events);
        console.MarkupLine(report.Verdict.Passed ? "[green bold]PASSED[/]" : "[red bold]FAILED[/]");
        foreach (var reason in report.Verdict.Reasons)
        {
            console.MarkupLineInterpolated($"  {reason}");
        }

        if (report.Verdict.Error is { } error)
        {
            console.MarkupLineInterpolated($"  [red]{error}[/]");
        }

        console.MarkupLineInterpolated($"Reports: {Path.Combine(outputFolder, "drill.html")}, drill.json, timeline.png");
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";
}
