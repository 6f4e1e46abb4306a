using System.Collections.Concurrent;
using System.Diagnostics;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;

namespace Graceful.Tests.Hooks;

public class ShutdownHookTests
{
    [Fact]
    public async Task Hooks_RunAfterTheDrain_InOrder_PastAHangingAndAThrowingHook()
    {
        var ran = new ConcurrentQueue<string>();
        var requestFinished = false;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/work", async () =>
            {
                started.TrySetResult();
                await Task.Delay(300);
                Volatile.Write(ref requestFinished, true);
                return "done";
            }),
            configureBuilder: b => b.Services
                .AddShutdownHook("flush", _ =>
                {
                    ran.Enqueue(Volatile.Read(ref requestFinished) ? "flush after drain" : "flush before drain");
                    return Task.CompletedTask;
                })
                .AddShutdownHook("hangs", _ => new TaskCompletionSource().Task, TimeSpan.FromMilliseconds(300))
                .AddShutdownHook("throws", _ => throw new InvalidOperationException("boom"))
                .AddShutdownHook("close-pool", async token =>
                {
                    await Task.Yield();
                    ran.Enqueue("close-pool");
                }));
        using var client = app.CreateClient();
        var work = client.GetAsync("/work");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stopping = Stopwatch.StartNew();
        await app.App.StopAsync();

        Assert.Equal(["flush after drain", "close-pool"], ran);
        Assert.InRange(stopping.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
        Assert.True(app.Logs.Contains("Shutdown hook hangs did not finish within its timeout of 300ms"));
        var failed = Assert.Single(app.Logs.Entries, e => e.Message.StartsWith("Shutdown hook throws failed", StringComparison.Ordinal));
        Assert.IsType<InvalidOperationException>(failed.Exception);
        Assert.True(app.Logs.Contains("ran 4 shutdown hooks (2 failed or timed out)"));
        (await work).EnsureSuccessStatusCode();
    }

    [Fact]
    public void AddShutdownHook_RejectsANegativeTimeout_NamingTheHook()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            services.AddShutdownHook("flush", _ => Task.CompletedTask, TimeSpan.FromSeconds(-1)));
        Assert.Contains("'flush'", error.Message, StringComparison.Ordinal);
    }
}
