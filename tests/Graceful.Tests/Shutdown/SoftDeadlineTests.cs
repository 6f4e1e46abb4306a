using System.Net;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Graceful.Tests.Shutdown;

/// <summary>The two-stage deadline: the soft one asks handlers to finish, the hard one aborts what is left.</summary>
public class SoftDeadlineTests
{
    // Only bounds a wait for an event that is due now; never decides an outcome.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SoftDeadline_FiresBeforeTheHardAbort_AndAHandlerObservingItAnswersProperly()
    {
        // Both deadlines run on a clock only this test moves, so no CPU load can bring the soft one close to the hard
        // one (on the real clock a stalled process fired both at once). Minutes, so a deadline that ignored the
        // injected clock would not fire during the test at all.
        var clock = new FakeTimeProvider();
        var soft = TimeSpan.FromMinutes(1);
        var hard = TimeSpan.FromMinutes(5);
        var cooperativeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubbornStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubbornAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/cooperative", async (IShutdownTokens shutdown) =>
                {
                    cooperativeStarted.TrySetResult();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, shutdown.SoftDeadline);
                        return "finished";
                    }
                    catch (OperationCanceledException)
                    {
                        return "wrapped up early";
                    }
                });
                a.MapGet("/stubborn", async (HttpContext context) =>
                {
                    context.RequestAborted.Register(() => stubbornAborted.TrySetResult());
                    stubbornStarted.TrySetResult();
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                });
            },
            o =>
            {
                o.SoftDrainTimeout = soft;
                o.DrainTimeout = hard;
            },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        using var client = app.CreateClient();
        var cooperative = client.GetAsync("/cooperative");
        var stubborn = client.GetAsync("/stubborn");
        await Task.WhenAll(cooperativeStarted.Task, stubbornStarted.Task).WaitAsync(HangGuard);
        var tokens = app.App.Services.GetRequiredService<IShutdownTokens>();

        var shutdown = app.Shutdown.ShutdownAsync();
        // The drain has begun: both deadlines count from its start on the test's clock.
        await Task.Delay(Timeout.Infinite, tokens.Draining).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(HangGuard);

        clock.Advance(soft);
        using var answered = await cooperative.WaitAsync(HangGuard);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("wrapped up early", await answered.Content.ReadAsStringAsync());
        Assert.False(stubbornAborted.Task.IsCompleted, "the hard deadline must wait for its own time");
        Assert.False(shutdown.IsCompleted);

        clock.Advance(hard - soft);
        var result = await shutdown.WaitAsync(HangGuard);
        // Kestrel cancels RequestAborted from the thread pool after it aborts the connection, so the callback may run
        // after the drain has seen the connection close: wait for the event, do not sample it.
        await stubbornAborted.Task.WaitAsync(HangGuard);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => stubborn);
        Assert.False(result.Completed);
        Assert.Equal("/stubborn", Assert.Single(result.Cut).Path);
    }

    [Fact]
    public async Task AbortRequestsAtSoftDeadline_FiresRequestAborted_SoHandlersThatObserveItFinishWell()
    {
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/report", async (CancellationToken requestAborted) =>
            {
                held.MarkStarted();
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
        await held.WaitUntilStartedAsync();

        var result = await app.Shutdown.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.Completed);
        using var response = await report;
        Assert.Equal("partial report", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DrainingToken_FiresWhenTheDrainStarts_AndIsAlsoARequestFeature()
    {
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/wait", async (HttpContext context) =>
        {
            var shutdown = context.Features.Get<IShutdownTokens>()!;
            held.MarkStarted();
            await Task.Delay(Timeout.Infinite, shutdown.Draining).ContinueWith(_ => { }, TaskScheduler.Default);
            return shutdown.SoftDeadline.IsCancellationRequested ? "soft deadline?" : "draining";
        }));
        using var client = app.CreateClient();
        var wait = client.GetAsync("/wait");
        await held.WaitUntilStartedAsync();

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
