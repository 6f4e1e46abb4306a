using System.Net;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Shutdown;

/// <summary>IGracefulShutdown.ShutdownAsync, the equivalent of Go's Server.Shutdown(ctx).</summary>
[Collection(ProcessExitCode.Name)]
public class ProgrammaticShutdownTests
{
    [Fact]
    public async Task ShutdownAsync_TokenExpiresFirst_ReturnsCut_WithTheRequestPath()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(a => a.MapGet("/slow", async (CancellationToken ct) =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return "done";
        }));
        using var client = app.CreateClient();
        var slow = client.GetAsync("/slow");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var result = await app.Shutdown.ShutdownAsync(deadline.Token);

            Assert.False(result.Completed);
            var cut = Assert.Single(result.Cut);
            Assert.Equal("GET", cut.Method);
            Assert.Equal("/slow", cut.Path);
            Assert.True(cut.Ran >= TimeSpan.FromMilliseconds(250), $"ran {cut.Ran}");
            Assert.Equal(nameof(IGracefulShutdown.ShutdownAsync), result.Trigger);
            Assert.Equal(1, result.RequestsAtStart);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => slow);
            Assert.True(app.Logs.Contains("Drain deadline: aborting GET /slow"));
        }
        finally
        {
            // The cut sets the process exit code, as it must in a service; the test host is not that service.
            Environment.ExitCode = 0;
        }
    }

    [Fact]
    public async Task ShutdownAsync_RequestsFinishFirst_ReturnsCompleted_AndClientsGetTheirResponses()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(a => a.MapGet("/work", async () =>
        {
            started.TrySetResult();
            await release.Task;
            return "done";
        }));
        using var client = app.CreateClient();
        var work = client.GetAsync("/work");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var shutdown = app.Shutdown.ShutdownAsync();
        Assert.True(app.Shutdown.IsShuttingDown);
        await Task.Delay(100);
        Assert.False(shutdown.IsCompleted, "the drain waits for the request in flight");
        release.SetResult();

        var result = await shutdown.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.Completed);
        Assert.Empty(result.Cut);
        using var response = await work;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ShutdownAsync_CalledTwice_JoinsTheSameDrain()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/ping", () => "pong"));

        var first = app.Shutdown.ShutdownAsync();
        var second = app.Shutdown.ShutdownAsync();

        Assert.Same(await first, await second);
    }
}
