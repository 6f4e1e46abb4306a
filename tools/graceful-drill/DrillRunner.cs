using System.Globalization;
using Graceful.Drill.Load;
using Graceful.Drill.Recording;
using Graceful.Drill.Reports;
using Graceful.Drill.Scenarios;
using Spectre.Console;

namespace Graceful.Drill;

/// <summary>
/// One drill, in this order: prepare the scenario (start or attach to the service), start the clock and the load, run
/// the scenario, keep the load on for the tail, stop the load (requests in flight finish), let the scenario stop what
/// is left, derive the load-side markers, then judge and write the reports.
/// Exit codes: 0 passed, 1 a threshold was crossed (lost requests, exit code), 2 the drill could not run as asked.
/// </summary>
public static class DrillRunner
{
    public const int Passed = 0;
    public const int Failed = 1;
    public const int CouldNotRun = 2;

    public static async Task<int> RunAsync(IScenario scenario, DrillSettings settings, IAnsiConsole console)
    {
        await using (scenario)
        {
            Uri address;
            try
            {
                console.MarkupLineInterpolated($"[bold]{settings.Title}[/]: {scenario.Description}");
                address = await scenario.PrepareAsync();
            }
            catch (Exception e) when (e is DrillException or TimeoutException or InvalidOperationException)
            {
                console.MarkupLineInterpolated($"[red]{e.Message}[/]");
                return CouldNotRun;
            }

            if (await PreflightAsync(settings.Load, address) is { } refusal)
            {
                console.MarkupLineInterpolated($"[red]{refusal}[/]");
                return CouldNotRun;
            }

            console.MarkupLineInterpolated($"Load on {address}: {LoadProfileReport.Of(settings.Load).Describe()}");
            var recorder = new DrillRecorder(new DrillClock());
            var load = new LoadRunner(settings.Load, address, recorder);
            using var stopLoad = new CancellationTokenSource();
            var loading = load.RunAsync(stopLoad.Token);
            double stoppedAt = 0;
            var running = RunScenarioAsync(scenario, recorder, settings);
            var done = running.ContinueWith(
                async error =>
                {
                    stoppedAt = recorder.Clock.Now;
                    await stopLoad.CancelAsync();
                    await loading;
                    return await error;
                },
                TaskScheduler.Default).Unwrap();
            await LiveProgress.ShowAsync(console, recorder, done);
            var error = await done;

            try
            {
                await scenario.FinishAsync(recorder);
            }
            catch (Exception e) when (e is DrillException or TimeoutException or InvalidOperationException)
            {
                error ??= e.Message;
            }

            LoadSideMarkers.AddListenerClosed(recorder);
            var requests = recorder.Requests;
            var summary = DrillSummary.Of(requests, stoppedAt);
            var report = new DrillReport(settings.Title, scenario.Description, LoadProfileReport.Of(settings.Load), recorder.Clock.StartedAt, summary,
                load.Unsent, Judge(summary, recorder.Exits, settings, error), recorder.Exits, recorder.Markers, requests);
            await WriteReportsAsync(report, settings.OutputFolder);
            ConsoleReport.Write(console, report, settings.OutputFolder);
            return report.Verdict.Error is not null ? CouldNotRun : report.Verdict.Passed ? Passed : Failed;
        }
    }

    /// <summary>
    /// One request of the mix as the load will send it: a service that cannot answer it at all (HTTP/2 asked of a
    /// cleartext HTTP/1.1 endpoint, say) would otherwise show up as every request lost.
    /// </summary>
    private static async Task<string?> PreflightAsync(LoadProfile profile, Uri address)
    {
        var request = profile.Mix[0];
        using var client = profile.Protocol == HttpProtocol.Http2 ? Http2Sender.CreateClient(profile.RequestTimeout) : null;
        using IRequestSender sender = profile.Protocol == HttpProtocol.Http1 ? new Http1Sender(address, keepAlive: false) : new Http2Sender(address, client);
        using var timeout = new CancellationTokenSource(profile.RequestTimeout);
        var result = await sender.SendAsync(request, timeout.Token);
        return result.Outcome is Outcome.Ok or Outcome.NonSuccess ? null
            : $"The first request of the mix, {request.Method} {request.Path}, got no response before the drill started: {result.Outcome} ({result.Error})." +
              (profile.Protocol == HttpProtocol.Http2 ? " Does the service speak HTTP/2 without TLS (h2c)? Kestrel needs Protocols = Http2 on that endpoint." : "");
    }

    private static async Task<string?> RunScenarioAsync(IScenario scenario, DrillRecorder recorder, DrillSettings settings)
    {
        using var bound = new CancellationTokenSource(settings.MaxDuration);
        try
        {
            await scenario.RunAsync(recorder, bound.Token);
            await Task.Delay(settings.Tail, bound.Token);
            return null;
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            return $"The scenario did not complete within --max-duration {settings.MaxDuration.TotalSeconds:0.#} s.";
        }
        catch (Exception e) when (e is DrillException or TimeoutException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    private static Verdict Judge(DrillSummary summary, IReadOnlyList<ProcessExit> exits, DrillSettings settings, string? error)
    {
        var reasons = new List<string>();
        if (summary.Lost > settings.MaxLost)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{summary.Lost} requests lost (sent, then EOF or reset); at most {settings.MaxLost} allowed (--max-lost)."));
        }

        if (settings.ExpectExitCode is { } expected)
        {
            foreach (var exit in exits.Where(e => e.ExitCode is { } code && code != expected))
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"pid {exit.Pid} ({exit.Role}) exited with code {exit.ExitCode}, expected {expected} (--expect-exit-code)."));
            }
        }

        if (summary.Requests == 0)
        {
            reasons.Add("No request was recorded.");
        }

        return new Verdict(reasons.Count == 0 && error is null, reasons, error);
    }

    private static async Task WriteReportsAsync(DrillReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var png = TimelinePlot.Render(report);
        await File.WriteAllBytesAsync(Path.Combine(folder, "timeline.png"), png);
        await File.WriteAllTextAsync(Path.Combine(folder, "drill.html"), HtmlReport.Render(report, png));
        await DrillJson.WriteAsync(report, Path.Combine(folder, "drill.json"));
    }
}
