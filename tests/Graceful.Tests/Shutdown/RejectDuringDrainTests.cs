using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Shutdown;

public class RejectDuringDrainTests
{
    [Fact]
    public async Task WithRetryAfterSet_ARequestArrivingDuringTheDrain_Gets503AndRetryAfter_NotTheApp()
    {
        var ran = 0;
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/work", () =>
            {
                Interlocked.Increment(ref ran);
                return "done";
            }),
            o => o.RejectDuringDrainRetryAfter = TimeSpan.FromSeconds(2.5));
        using var kept = await RawHttpConnection.ConnectAsync(app.BaseAddress);
        await kept.SendGetAsync("/work");
        Assert.Equal(200, (await kept.ReadResponseAsync()).StatusCode);

        var shutdown = app.Shutdown.ShutdownAsync();
        await Task.Delay(Timeout.Infinite, app.App.Services.GetRequiredService<IShutdownTokens>().Draining)
            .ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(10));
        await kept.SendGetAsync("/work");
        var rejected = await kept.ReadResponseAsync();

        Assert.Equal(503, rejected.StatusCode);
        Assert.Equal("3", rejected.Headers["Retry-After"]);
        Assert.True(rejected.ConnectionClose);
        Assert.Equal(1, ran);
        Assert.True(await kept.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.True((await shutdown.WaitAsync(TimeSpan.FromSeconds(10))).Completed);
    }
}
