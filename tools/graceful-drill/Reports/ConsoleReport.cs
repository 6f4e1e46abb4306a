using System.Globalization;
using Graceful.Drill.Judging;
using Graceful.Drill.Recording;
using Spectre.Console;

namespace Graceful.Drill.Reports;

/// <summary>The summary tables printed at the end, the warnings, and the verdict under them.</summary>
public static class ConsoleReport
{
    public static void Write(IAnsiConsole console, DrillReport report, string outputFolder)
    {
        var s = report.Summary;
        var statuses = s.Statuses;
        var table = new Table().Title(report.Title).Border(TableBorder.Rounded);
        table.AddColumns("requests", "[green]ok[/]", "[orange1]non-2xx[/]", "[red]lost[/]", "[grey]refused[/]", "[purple]timed out[/]", "not sent", "requests/s");
        table.AddRow(N(s.Requests), N(s.Ok), N(s.NonSuccess), N(s.Lost), N(s.Refused), N(s.TimedOut), N(report.Unsent), Markup.Escape(Rate(s, report.Load.Rate)));
        console.Write(table);
        console.WriteLine(Statuses(statuses));

        var latency = new Table().Title("latency of answered requests (ms)").Border(TableBorder.Rounded).AddColumns("measured from", "p50", "p99", "max");
        latency.AddRow("sent (the service's time)", Ms(s.LatencyFromSent.P50Ms), Ms(s.LatencyFromSent.P99Ms), Ms(s.LatencyFromSent.MaxMs));
        latency.AddRow("scheduled (with any wait for a connection)", Ms(s.LatencyFromScheduled.P50Ms), Ms(s.LatencyFromScheduled.P99Ms), Ms(s.LatencyFromScheduled.MaxMs));
        console.Write(latency);

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
        foreach (var restart in report.NewConnections ?? [])
        {
            console.WriteLine(NewConnections(restart));
        }

        foreach (var warning in report.Warnings)
        {
            console.MarkupLineInterpolated($"[yellow]warning: {warning}[/]");
        }

        WriteVerdict(console, report.Verdict);
        console.MarkupLineInterpolated($"Reports: {Path.Combine(outputFolder, "drill.html")}, drill.json, timeline.png");
    }

    /// <summary>PASSED or FAILED, and under it each reason and the error that stopped the run, one line each.</summary>
    public static void WriteVerdict(IAnsiConsole console, Verdict verdict)
    {
        console.MarkupLine(verdict.Passed ? "[green bold]PASSED[/]" : "[red bold]FAILED[/]");
        foreach (var reason in verdict.Reasons)
        {
            console.MarkupLineInterpolated($"  {reason}");
        }

        if (verdict.Error is { } error)
        {
            console.MarkupLineInterpolated($"  [red]{error}[/]");
        }
    }

    /// <summary>The responses against --expect-status, in one line.</summary>
    public static string Statuses(StatusCheck statuses) => string.Create(CultureInfo.InvariantCulture,
        $"Responses: {statuses.Answered}; with an expected status (--expect-status {statuses.ExpectStatus}) {statuses.Expected}; " +
        $"unexpected {statuses.Unexpected}{(statuses.Unexpected > 0 ? $" ({statuses.DescribeUnexpected()})" : "")}; declined while draining (503 with Retry-After after a signal) {statuses.Declined}.");

    /// <summary>The rate the load reached, beside the one asked when paced: <c>145.2 of 300 (142.0 before the first signal)</c>.</summary>
    public static string Rate(DrillSummary summary, double asked)
    {
        if (summary.AchievedRate is not { } overall)
        {
            return "-";
        }

        var text = asked > 0 ? string.Create(CultureInfo.InvariantCulture, $"{overall:0.#} of {asked:0.#}") : overall.ToString("0.#", CultureInfo.InvariantCulture);
        return summary.AchievedRateBeforeSignal is { } before ? string.Create(CultureInfo.InvariantCulture, $"{text} ({before:0.#} before the first signal)") : text;
    }

    /// <summary>One restart's reconnects, in one line.</summary>
    public static string NewConnections(RestartConnections restart) => string.Create(CultureInfo.InvariantCulture,
        $"New connections at the instances left serving while {restart.Server} restarted: {restart.Total}, peak {restart.PeakPerSecond}/s " +
        $"(most in any 1 s), {restart.PeakIn100Ms} in the busiest 100 ms.");

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";
}
