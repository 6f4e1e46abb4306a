using System.Net;
using System.Text.Json;
using Graceful.AspNetCore;
using Graceful.AspNetCore.Diagnostics.Reporting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Graceful.Tests.Reporting;

public sealed class ShutdownReportTests : IDisposable
{
    // Only bounds a wait for an event that is due now; never decides an outcome.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly string _folder = Directory.CreateTempSubdirectory("graceful-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task SampleWithReportOption_WritesTheReport_AfterASignal()
    {
        var path = Path.Combine(_folder, "report.json");
        await using var service = await SlowService.StartAsync("--slow", "1s", "--report", path);
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        var slow = client.GetAsync("/slow");
        await service.WaitForEventAsync(SlowService.HandlerStarted, TimeSpan.FromSeconds(20));

        service.Signal(Signals.SIGTERM);
        (await slow).EnsureSuccessStatusCode();
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var root = report.RootElement;
        Assert.Equal("SIGTERM", root.GetProperty("signal").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(["stop-accepting", "close-idle", "drain", "hooks", "exit"],
            root.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(1, root.GetProperty("connectionsAtDrainStart").GetProperty("busy").GetInt32());
        var request = Assert.Single(root.GetProperty("requests").EnumerateArray());
        Assert.Equal("/slow", request.GetProperty("path").GetString());
        Assert.Equal("completed", request.GetProperty("outcome").GetString());
        Assert.True(request.GetProperty("end").GetDateTimeOffset() > request.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(1, root.GetProperty("totals").GetProperty("completed").GetInt32());
    }

    [Fact]
    public async Task Report_ListsEveryRequestInFlightOrArriving_WithItsOutcome()
    {
        var path = Path.Combine(_folder, "report.json");
        // The deadlines run on a clock the test moves, so each request ends in the stage the test puts it in, however
        // slowly the machine runs (on the real clock a stall could push /quick or /late past the hard deadline).
        var clock = new FakeTimeProvider();
        var soft = TimeSpan.FromMinutes(1);
        var hard = TimeSpan.FromMinutes(5);
        var quickStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuckStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseQuick = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/ping", () => "pong");
                a.MapGet("/quick", async () =>
                {
                    quickStarted.TrySetResult();
                    await releaseQuick.Task;
                    return "quick";
                });
                a.MapGet("/late", async (IShutdownTokens shutdown) =>
                {
                    lateStarted.TrySetResult();
                    await shutdown.SoftDeadline.WhenCanceledAsync();
                    return "late";
                });
                a.MapGet("/stuck", async (HttpContext context) =>
                {
                    stuckStarted.TrySetResult();
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                });
            },
            o =>
            {
                o.SoftDrainTimeout = soft;
                o.DrainTimeout = hard;
                o.ReportPath = path;
            },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        using var client = app.CreateClient();
        using var kept = await RawHttpConnection.ConnectAsync(app.BaseAddress);
        await kept.SendGetAsync("/ping");
        await kept.ReadResponseAsync();
        var quick = client.GetAsync("/quick");
        var late = client.GetAsync("/late");
        var stuck = client.GetAsync("/stuck");
        await Task.WhenAll(quickStarted.Task, lateStarted.Task, stuckStarted.Task).WaitAsync(HangGuard);

        try
        {
            var shutdown = app.Shutdown.ShutdownAsync();
            await app.App.Services.GetRequiredService<IShutdownTokens>().Draining.WhenCanceledAsync().WaitAsync(HangGuard);
            // Arrives during the drain on the connection kept for its next request.
            await kept.SendGetAsync("/ping");
            Assert.True((await kept.ReadResponseAsync()).ConnectionClose);
            releaseQuick.SetResult();
            (await quick.WaitAsync(HangGuard)).Dispose();

            clock.Advance(soft);
            (await late.WaitAsync(HangGuard)).Dispose();

            clock.Advance(hard - soft);
            await shutdown.WaitAsync(HangGuard);
            await stuck.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        finally
        {
            await app.App.StopAsync();
        }

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var outcomes = report.RootElement.GetProperty("requests").EnumerateArray()
            .ToDictionary(r => r.GetProperty("path").GetString()!, r => r.GetProperty("outcome").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["/quick"] = "completed",
            ["/late"] = "completed-after-soft-deadline",
            ["/stuck"] = "aborted",
            ["/ping"] = "completed",
        }, outcomes);
        var totals = report.RootElement.GetProperty("totals");
        Assert.Equal(4, totals.GetProperty("requests").GetInt32());
        Assert.Equal(1, totals.GetProperty("aborted").GetInt32());
        Assert.Equal(1, report.RootElement.GetProperty("exitCode").GetInt32());
        // The log's exit event carries the same report as a structured value.
        var exited = Assert.Single(app.Logs.Events("Exited"));
        Assert.Equal("1", exited["ExitCode"]);
        Assert.Equal(4, Assert.IsType<ShutdownReport>(exited.Properties["Report"]).Totals.Requests);
    }

    [Fact]
    public async Task Http2StreamsInFlight_AreReportedOneByOne_AndTheDrainWaitsForEach()
    {
        var path = Path.Combine(_folder, "report.json");
        var first = new HeldRequest();
        var second = new HeldRequest();
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/first", first.Handler);
                a.MapGet("/second", second.Handler);
            },
            o => o.ReportPath = path,
            b => b.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2)));
        using var client = new HttpClient
        {
            BaseAddress = app.BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = HangGuard,
        };
        var firstResponse = client.GetStringAsync("/first");
        var secondResponse = client.GetStringAsync("/second");
        await Task.WhenAll(first.WaitUntilStartedAsync(HangGuard), second.WaitUntilStartedAsync(HangGuard));

        var shutdown = app.Shutdown.ShutdownAsync();
        await app.App.Services.GetRequiredService<IShutdownTokens>().Draining.WhenCanceledAsync().WaitAsync(HangGuard);
        first.Release();
        await firstResponse.WaitAsync(HangGuard);
        Assert.False(shutdown.IsCompleted, "the drain waits for the stream still open on the connection");
        second.Release();
        await secondResponse.WaitAsync(HangGuard);
        Assert.True((await shutdown.WaitAsync(HangGuard)).Completed);
        await app.App.StopAsync();

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        Assert.Equal(1, report.RootElement.GetProperty("connectionsAtDrainStart").GetProperty("busy").GetInt32());
        var outcomes = report.RootElement.GetProperty("requests").EnumerateArray()
            .ToDictionary(r => r.GetProperty("path").GetString()!, r => r.GetProperty("outcome").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["/first"] = "completed", ["/second"] = "completed" }, outcomes);
    }
}

internal static class CancellationTokenExtensions
{
    public static Task WhenCanceledAsync(this CancellationToken token) =>
        Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default);
}
