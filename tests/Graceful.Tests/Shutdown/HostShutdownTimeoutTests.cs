using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Graceful.Tests.Shutdown;

/// <summary>A <see cref="HostOptions.ShutdownTimeout"/> the app set itself is honoured: it bounds the drain.</summary>
public class HostShutdownTimeoutTests
{
    [Fact]
    public async Task AppsOwnShutdownTimeout_CutsAnUnboundedDrain_AtThatTimeout()
    {
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", held.Handler),
            configureBuilder: b => b.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(1)));
        using var client = app.CreateClient();
        var slow = client.GetAsync("/slow");
        await held.WaitUntilStartedAsync();

        // Without the app's timeout this stop would wait the full minute for /slow (Graceful:DrainTimeout is infinite).
        await app.App.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => slow);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "HostTimeoutCut");
        var cut = Assert.Single(app.Logs.Events("RequestCut"));
        Assert.Equal(("GET", "/slow"), (cut["Method"], cut["Path"]));
    }
}
