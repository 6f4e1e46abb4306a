using System.Collections.Concurrent;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Graceful.Tests.Shutdown;

/// <summary>Background services (queues, consumers) stop after the HTTP drain, so in-flight requests can still use them.</summary>
public class HostedServiceOrderTests
{
    [Fact]
    public async Task HostedServices_StopAfterTheDrainAndTheHooks()
    {
        var events = new ConcurrentQueue<string>();
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/work", async () =>
            {
                held.MarkStarted();
                await Task.Delay(300);
                events.Enqueue("request finished");
                return "done";
            }),
            configureBuilder: b =>
            {
                b.Services.AddHostedService(_ => new RecordingService(events));
                b.Services.AddShutdownHook("flush", _ =>
                {
                    events.Enqueue("hook ran");
                    return Task.CompletedTask;
                });
            });
        using var client = app.CreateClient();
        var work = client.GetAsync("/work");
        await held.WaitUntilStartedAsync();

        await app.App.StopAsync();

        (await work).EnsureSuccessStatusCode();
        Assert.Equal(["request finished", "hook ran", "background service stopped"], events);
    }

    private sealed class RecordingService(ConcurrentQueue<string> events) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            events.Enqueue("background service stopped");
            return Task.CompletedTask;
        }
    }
}
