using System.Collections.Concurrent;
using System.Diagnostics;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Hooks;

public class ShutdownHookTests
{
    [Fact]
    public async Task Hooks_RunAfterTheDrain_InOrder_PastAHangingAndAThrowingHook()
    {
        var ran = new ConcurrentQueue<string>();
        var requestFinished = false;
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/work", async () =>
            {
                held.MarkStarted();
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
        await held.WaitUntilStartedAsync();

        var stopping = Stopwatch.StartNew();
        await app.App.StopAsync();

        Assert.Equal(["flush after drain", "close-pool"], ran);
        Assert.InRange(stopping.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));
        var timedOut = Assert.Single(app.Logs.Events("HookTimedOut"));
        Assert.Equal("hangs", timedOut["Hook"]);
        Assert.Equal("300ms", timedOut["Timeout"]);
        var failed = Assert.Single(app.Logs.Events("HookFailed"));
        Assert.Equal("throws", failed["Hook"]);
        Assert.IsType<InvalidOperationException>(failed.Exception);
        var hooks = Assert.Single(app.Logs.Events("HooksRan"));
        Assert.Equal(("4", "2"), (hooks["Count"], hooks["Failed"]));
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
