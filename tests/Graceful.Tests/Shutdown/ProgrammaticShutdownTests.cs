using System.Net;
using Graceful.AspNetCore;
using Graceful.AspNetCore.Shutdown;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Shutdown;

/// <summary>IGracefulShutdown.ShutdownAsync, the equivalent of Go's Server.Shutdown(ctx).</summary>
public class ProgrammaticShutdownTests
{
    [Fact]
    public async Task ShutdownAsync_TokenExpiresFirst_ReturnsCut_WithTheRequestPath()
    {
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/slow", held.Handler));
        using var client = app.CreateClient();
        var slow = client.GetAsync("/slow");
        await held.WaitUntilStartedAsync();

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
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "RequestCut");

        // The process's exit code comes from the shutdown's result, which the test reads instead of the process-wide value.
        await app.App.StopAsync();
        var shutdown = await app.App.Services.GetRequiredService<ShutdownCoordinator>().Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new GracefulOptions().DeadlineExitCode, shutdown.ExitCode);
        Assert.Same(result, shutdown.Drain);
    }

    [Fact]
    public async Task ShutdownAsync_RequestsFinishFirst_ReturnsCompleted_AndClientsGetTheirResponses()
    {
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/work", held.Handler));
        using var client = app.CreateClient();
        var work = client.GetAsync("/work");
        await held.WaitUntilStartedAsync();

        var shutdown = app.Shutdown.ShutdownAsync();
        Assert.True(app.Shutdown.IsShuttingDown);
        await Task.Delay(100);
        Assert.False(shutdown.IsCompleted, "the drain waits for the request in flight");
        held.Release();

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
