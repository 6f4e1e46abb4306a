using System.Globalization;
using Graceful.Drill.Reports;
using Spectre.Console;

namespace Graceful.Drill.Fuzz.Reports;

/// <summary>A line per trial as it ends; at the end the table per moment, the worst trial, what the run proved and the verdict.</summary>
internal static class FuzzConsoleReport
{
    public static void WriteTrial(IAnsiConsole console, TrialResult trial, int of)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"trial {trial.Number}/{of} {trial.Moment} seed {trial.Seed}: signal {Offset(trial.SignalOffsetMs)} from the moment; {trial.Requests.Count} requests, {trial.Ok} ok, {trial.Lost} lost, {trial.Refused} refused, {trial.TimedOut} timed out");
        console.MarkupLine(trial.Failed ? $"[red]{Markup.Escape(line)}[/]" : Markup.Escape(line));
    }

    public static void Write(IAnsiConsole console, FuzzReport report, string outputFolder)
    {
        var table = new Table().Title($"{Markup.Escape(report.Title)}: {report.Trials.Count} trials of {Markup.Escape(report.Action)}").Border(TableBorder.Rounded);
        table.AddColumns("moment", "trials", "requests", "[green]ok[/]", "[red]lost[/]", "trials with a loss", "[grey]refused[/]", "[purple]timed out[/]", "unexpected", "loss rate at 95 %");
        foreach (var m in report.PerMoment.Append(report.Overall))
        {
            table.AddRow(Markup.Escape(m.Moment), N(m.Trials), N(m.Requests), N(m.Ok), N(m.Lost), N(m.TrialsWithLoss), N(m.Refused), N(m.TimedOut), N(m.Unexpected),
                m.Trials == 0 ? "-" : $"< {MomentSummary.Percent(m.LossRateUpperBound)} %");
        }

        console.Write(table);
        if (report.Worst is { } worst)
        {
            console.MarkupLineInterpolated($"Worst trial: {worst.Number}, {worst.Moment}, seed {worst.Seed}, signal {Offset(worst.SignalOffsetMs)} from the moment: {worst.Probe}");
            foreach (var failure in worst.Failures.Take(20))
            {
                console.MarkupLineInterpolated($"  {failure}");
            }

            if (worst.Failures.Count > 20)
            {
                console.MarkupLineInterpolated($"  ... and {worst.Failures.Count - 20} more (fuzz.json)");
            }

            console.MarkupLineInterpolated($"  Run it again: graceful-drill ... {worst.Reproduce}");
        }

        console.MarkupLineInterpolated($"Proved: {report.Proved} (seed {report.Seed}, {report.DurationMs / 1000:0.#} s)");
        ConsoleReport.WriteVerdict(console, report.Verdict);

        console.MarkupLineInterpolated($"Reports: {Path.Combine(outputFolder, FuzzHtmlReport.FileName)}, {FuzzJson.FileName}");
    }

    /// <summary>Where the signal fell from the moment: <c>+3.2 ms</c>, <c>-41.0 ms</c>.</summary>
    public static string Offset(double? ms) => ms is { } v ? v.ToString("+0.0 ms;-0.0 ms;0.0 ms", CultureInfo.InvariantCulture) : "-";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
