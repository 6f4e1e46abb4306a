using System.Diagnostics;
using System.Net;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Graceful.Tests.Shutdown;

/// <summary>The two-stage deadline: the soft one asks handlers to finish, the hard one aborts what is left.</summary>
public class SoftDeadlineTests
{
    [Fact]
    public async Task SoftDeadline_FiresBeforeTheHardAbort_AndAHandlerObservingItAnswersProperly()
    {
        var cooperativeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubbornStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long softFiredAt = 0, stubbornAbortedAt = 0;
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/cooperative", async (IShutdownTokens shutdown) =>
                {
                    shutdown.SoftDeadline.Register(() => Interlocked.Exchange(ref softFiredAt, Stopwatch.GetTimestamp()));
                    cooperativeStarted.TrySetResult();
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(30), shutdown.SoftDeadline);
                        return "finished";
                    }
                    catch (OperationCanceledException)
                    {
                        return "wrapped up early";
                    }
                });
                a.MapGet("/stubborn", async (HttpContext context) =>
                {
                    context.RequestAborted.Register(() => Interlocked.Exchange(ref stubbornAbortedAt, Stopwatch.GetTimestamp()));
                    stubbornStarted.TrySetResult();
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                });
            },
            o =>
            {
                o.SoftDrainTimeout = TimeSpan.FromMilliseconds(300);
                o.DrainTimeout = TimeSpan.FromSeconds(2);
            });
        using var client = app.CreateClient();
        var cooperative = client.GetAsync("/cooperative");
        var stubborn = client.GetAsync("/stubborn");
        await Task.WhenAll(cooperativeStarted.Task, stubbornStarted.Task).WaitAsync(TimeSpan.FromSeconds(10));

        try
        {
            var result = await app.Shutdown.ShutdownAsync();

            using var answered = await cooperative;
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.Equal("wrapped up early", await answered.Content.ReadAsStringAsync());
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => stubborn);
            Assert.False(result.Completed);
            Assert.Equal("/stubborn", Assert.Single(result.Cut).Path);
            Assert.True(softFiredAt != 0 && stubbornAbortedAt != 0, "both deadlines fired");
            Assert.True(Stopwatch.GetElapsedTime(softFiredAt, stubbornAbortedAt) > TimeSpan.FromSeconds(1), "the soft deadline fires well before the hard abort");
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }

    [Fact]
    public async Task AbortRequestsAtSoftDeadline_FiresRequestAborted_SoHandlersThatObserveItFinishWell()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/report", async (CancellationToken requestAborted) =>
            {
                started.TrySetResult();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), requestAborted);
                    return "full report";
                }
                catch (OperationCanceledException)
                {
                    return "partial report";
                }
            }),
            o =>
            {
                o.SoftDrainTimeout = TimeSpan.FromMilliseconds(200);
                o.AbortRequestsAtSoftDeadline = true;
            });
        using var client = app.CreateClient();
        var report = client.GetAsync("/report");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var result = await app.Shutdown.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.Completed);
        using var response = await report;
        Assert.Equal("partial report", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DrainingToken_FiresWhenTheDrainStarts_AndIsAlsoARequestFeature()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(a => a.MapGet("/wait", async (HttpContext context) =>
        {
            var shutdown = context.Features.Get<IShutdownTokens>()!;
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, shutdown.Draining).ContinueWith(_ => { }, TaskScheduler.Default);
            return shutdown.SoftDeadline.IsCancellationRequested ? "soft deadline?" : "draining";
        }));
        using var client = app.CreateClient();
        var wait = client.GetAsync("/wait");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var result = await app.Shutdown.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.Completed);
        using var response = await wait;
        Assert.Equal("draining", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SoftDrainTimeoutLaterThanDrainTimeout_FailsAtStart_NamingBothOptions()
    {
        var error = await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => TestApp.StartAsync(
            a => a.MapGet("/", () => "x"),
            o =>
            {
                o.DrainTimeout = TimeSpan.FromSeconds(1);
                o.SoftDrainTimeout = TimeSpan.FromSeconds(2);
            }));
        Assert.Contains("Graceful:SoftDrainTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("Graceful:DrainTimeout", error.Message, StringComparison.Ordinal);
    }
}
