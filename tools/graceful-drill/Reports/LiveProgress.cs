using System.Globalization;
using Graceful.Drill.Recording;
using Spectre.Console;

namespace Graceful.Drill.Reports;

/// <summary>
/// Running counts while the drill runs: a live table on a terminal; elsewhere (CI logs) one line a second, so the
/// output stays readable as plain text. Markers are printed as they happen.
/// </summary>
public static class LiveProgress
{
    public static async Task ShowAsync(IAnsiConsole console, DrillRecorder recorder, Task until)
    {
        var shown = 0;
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Live(Render(recorder, ref shown)).StartAsync(async live =>
            {
                while (!until.IsCompleted)
                {
                    await Task.WhenAny(until, Task.Delay(200));
                    live.UpdateTarget(Render(recorder, ref shown));
                }
            });
            return;
        }

        while (!until.IsCompleted)
        {
            await Task.WhenAny(until, Task.Delay(1000));
            foreach (var marker in recorder.Markers.Skip(shown))
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{marker.At,9:0.0} ms  {OutcomeColors.Label(marker.Kind)}: {marker.Label}"));
                shown++;
            }

            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{recorder.Clock.Now / 1000,7:0.0} s  ok {recorder.Count(Outcome.Ok)}  non-2xx {recorder.Count(Outcome.NonSuccess)}  lost {recorder.Count(Outcome.Lost)}  refused {recorder.Count(Outcome.Refused)}  timed out {recorder.Count(Outcome.TimedOut)}"));
        }
    }

    private static Rows Render(DrillRecorder recorder, ref int shown)
    {
        var markers = recorder.Markers;
        shown = markers.Count;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("elapsed", "[green]ok[/]", "[orange1]non-2xx[/]", "[red]lost[/]", "[grey]refused[/]", "[purple]timed out[/]");
        table.AddRow(
            (recorder.Clock.Now / 1000).ToString("0.0 s", CultureInfo.InvariantCulture),
            recorder.Count(Outcome.Ok).ToString(CultureInfo.InvariantCulture),
            recorder.Count(Outcome.NonSuccess).ToString(CultureInfo.InvariantCulture),
            recorder.Count(Outcome.Lost).ToString(CultureInfo.InvariantCulture),
            recorder.Count(Outcome.Refused).ToString(CultureInfo.InvariantCulture),
            recorder.Count(Outcome.TimedOut).ToString(CultureInfo.InvariantCulture));
        var lines = markers.TakeLast(6).Select(m => new Markup(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{m.At,9:0.0} ms  {OutcomeColors.Label(m.Kind)}: {m.Label}"))));
        return new Rows([table, .. lines]);
    }
}
