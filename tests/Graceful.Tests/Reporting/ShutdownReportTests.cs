using System.Text.Json;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Reporting;

public sealed class ShutdownReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graceful-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task SampleWithReportOption_WritesTheReport_AfterASignal()
    {
        var path = Path.Combine(_folder, "report.json");
        await using var service = await SlowService.StartAsync("--slow", "1s", "--report", path);
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        var slow = client.GetAsync("/slow");
        await service.WaitForLineAsync(l => l.Contains("[start] SlowHandler"), TimeSpan.FromSeconds(20));

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
        var started = new CountdownEvent(3);
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/ping", () => "pong");
                a.MapGet("/quick", async () =>
                {
                    started.Signal();
                    await Task.Delay(100);
                    return "quick";
                });
                a.MapGet("/late", async (IShutdownTokens shutdown) =>
                {
                    started.Signal();
                    await shutdown.SoftDeadline.WhenCanceledAsync();
                    await Task.Delay(50);
                    return "late";
                });
                a.MapGet("/stuck", async (HttpContext context) =>
                {
                    started.Signal();
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                });
            },
            o =>
            {
                o.SoftDrainTimeout = TimeSpan.FromMilliseconds(400);
                o.DrainTimeout = TimeSpan.FromSeconds(1.5);
                o.ReportPath = path;
            });
        using var client = app.CreateClient();
        using var kept = await RawHttpConnection.ConnectAsync(app.BaseAddress);
        await kept.SendGetAsync("/ping");
        await kept.ReadResponseAsync();
        var requests = new[] { client.GetAsync("/quick"), client.GetAsync("/late"), client.GetAsync("/stuck") };
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));

        try
        {
            var shutdown = app.Shutdown.ShutdownAsync();
            await app.App.Services.GetRequiredService<IShutdownTokens>().Draining.WhenCanceledAsync().WaitAsync(TimeSpan.FromSeconds(10));
            // Arrives during the drain on the connection kept for its next request.
            await kept.SendGetAsync("/ping");
            Assert.True((await kept.ReadResponseAsync()).ConnectionClose);
            await shutdown.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.WhenAll(requests.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
        finally
        {
            await app.App.StopAsync();
            Environment.ExitCode = 0;
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
        Assert.True(app.Logs.Contains("after ShutdownAsync: 4 requests in flight or arriving, 2 completed, 1 completed after the soft deadline, 1 aborted"));
    }
}

internal static class CancellationTokenExtensions
{
    public static Task WhenCanceledAsync(this CancellationToken token) =>
        Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default);
}
