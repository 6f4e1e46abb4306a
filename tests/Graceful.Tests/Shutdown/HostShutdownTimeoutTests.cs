using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Graceful.Tests.Shutdown;

/// <summary>A <see cref="HostOptions.ShutdownTimeout"/> the app set itself is honoured: it bounds the drain.</summary>
[Collection(ProcessExitCode.Name)]
public class HostShutdownTimeoutTests
{
    [Fact]
    public async Task AppsOwnShutdownTimeout_CutsAnUnboundedDrain_AtThatTimeout()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", async (CancellationToken ct) =>
            {
                started.TrySetResult();
                await Task.Delay(TimeSpan.FromSeconds(60), ct);
                return "done";
            }),
            configureBuilder: b => b.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(1)));
        using var client = app.CreateClient();
        var slow = client.GetAsync("/slow");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        try
        {
            // Without the app's timeout this stop would wait the full minute for /slow (Graceful:DrainTimeout is infinite).
            await app.App.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

            await Assert.ThrowsAnyAsync<HttpRequestException>(() => slow);
            Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "HostTimeoutCut");
            Assert.True(app.Logs.Contains("Drain deadline: aborting GET /slow"), string.Join('\n', app.Logs.Entries.Select(e => e.Message)));
        }
        finally
        {
            // The cut sets the process exit code, as it must in a service; the test host is not that service.
            Environment.ExitCode = 0;
        }
    }
}
