using System.Globalization;
using Graceful.Drill.Judging;
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
/// Exit codes: 0 passed, 1 failed (<see cref="DrillJudge"/>: nothing tested, unexpected statuses, lost requests, exit
/// code), 2 the drill could not run as asked: one line on standard error (<see cref="CouldNotRun"/>).
/// </summary>
public static class DrillRunner
{
    public const int Passed = 0;
    public const int Failed = 1;

    /// <summary>
    /// Runs the drill; a <see cref="DrillException"/> (or any other) before the load started means it could not run.
    /// <paramref name="interrupted"/> (Ctrl+C) ends the scenario early: the load stops, the service is stopped, the
    /// reports say so, exit 2.
    /// </summary>
    public static async Task<int> RunAsync(IScenario scenario, DrillSettings settings, IAnsiConsole console, CancellationToken interrupted)
    {
        await using (scenario)
        {
            console.MarkupLineInterpolated($"[bold]{settings.Title}[/]: {scenario.Description}");
            var address = await scenario.PrepareAsync(interrupted);
            if (await PreflightAsync(settings, address, console) is { } refusal)
            {
                throw new DrillException(refusal);
            }

            console.MarkupLineInterpolated($"Load on {address}: {LoadProfileReport.Of(settings.Load).Describe()}");
            var recorder = new DrillRecorder(new DrillClock());
            var load = new LoadRunner(settings.Load, address, recorder);
            using var stopLoad = new CancellationTokenSource();
            var loading = load.RunAsync(stopLoad.Token);
            double stoppedAt = 0;
            var running = RunScenarioAsync(scenario, recorder, settings, interrupted);
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
            catch (Exception e)
            {
                error ??= CouldNotRun.Describe(e).Line;
            }

            LoadSideMarkers.AddListenerClosed(recorder);
            var requests = recorder.Requests;
            var firstSignal = recorder.Markers.FirstOrDefault(m => m.Kind == MarkerKind.Signal)?.At;
            var summary = DrillSummary.Of(requests, stoppedAt, settings.ExpectStatus, firstSignal);
            string[] warnings = [.. new[] { RateCheck.Warning(settings.Load, summary, load.Unsent) }.OfType<string>()];
            var report = new DrillReport(settings.Title, scenario.Description, LoadProfileReport.Of(settings.Load), recorder.Clock.StartedAt, summary,
                load.Unsent, DrillJudge.Judge(summary, recorder.Exits, settings, error), warnings, recorder.Exits, recorder.Markers, requests)
            {
                NewConnections = recorder.NewConnections,
            };
            await WriteReportsAsync(report, settings.OutputFolder);
            ConsoleReport.Write(console, report, settings.OutputFolder);
            if (report.Verdict.Error is { } couldNotRun)
            {
                CouldNotRun.WriteLine(couldNotRun);
                return CouldNotRun.ExitCode;
            }

            return report.Verdict.Passed ? Passed : Failed;
        }
    }

    /// <summary>
    /// One request of the mix as the load will send it: a service that cannot answer it at all (HTTP/2 asked of a
    /// cleartext HTTP/1.1 endpoint, say) would otherwise show up as every request lost. A status outside
    /// <c>--expect-status</c> is only announced here: the run goes on and the verdict says it.
    /// </summary>
    internal static async Task<string?> PreflightAsync(DrillSettings settings, Uri address, IAnsiConsole console)
    {
        var profile = settings.Load;
        var request = profile.Mix[0];
        using var client = profile.Protocol == HttpProtocol.Http2 ? Http2Sender.CreateClient(profile.RequestTimeout) : null;
        using IRequestSender sender = profile.Protocol == HttpProtocol.Http1 ? new Http1Sender(address, keepAlive: false) : new Http2Sender(address, client);
        using var timeout = new CancellationTokenSource(profile.RequestTimeout);
        var result = await sender.SendAsync(request, timeout.Token);
        if (result.Status is { } status && !settings.ExpectStatus.Contains(status))
        {
            var warning = string.Create(CultureInfo.InvariantCulture,
                $"warning: {request.Method} {request.Path} answered {status}, not an expected status (--expect-status {settings.ExpectStatus}): the drill runs, and fails unless that changes.");
            console.MarkupLineInterpolated($"[yellow]{warning}[/]");
        }

        return result.Outcome is Outcome.Ok or Outcome.NonSuccess ? null
            : $"The first request of the mix, {request.Method} {request.Path}, got no response before the drill started: {result.Outcome} ({result.Error})." +
              (profile.Protocol == HttpProtocol.Http2 ? " Does the service speak HTTP/2 without TLS (h2c)? Kestrel needs Protocols = Http2 on that endpoint." : "");
    }

    private static async Task<string?> RunScenarioAsync(IScenario scenario, DrillRecorder recorder, DrillSettings settings, CancellationToken interrupted)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        bound.CancelAfter(settings.MaxDuration);
        try
        {
            await scenario.RunAsync(recorder, bound.Token);
            await Task.Delay(settings.Tail, bound.Token);
            return null;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            return "Interrupted before the scenario completed; the load and the service were stopped.";
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The scenario did not complete within --max-duration {settings.MaxDuration.TotalSeconds:0.#} s.");
        }
        catch (Exception e)
        {
            // Whatever stopped the scenario, the load ran: its reports are written, with this as the reason.
            return CouldNotRun.Describe(e).Line;
        }
    }

    private static async Task WriteReportsAsync(DrillReport report, string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var png = TimelinePlot.Render(report);
            await File.WriteAllBytesAsync(Path.Combine(folder, "timeline.png"), png);
            await File.WriteAllTextAsync(Path.Combine(folder, "drill.html"), HtmlReport.Render(report, png));
            await DrillJson.WriteAsync(report, Path.Combine(folder, "drill.json"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DrillException($"Cannot write the reports to {folder} (--out): {e.Message}");
        }
    }
}
