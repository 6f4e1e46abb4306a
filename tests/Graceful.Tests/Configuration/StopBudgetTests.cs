using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Graceful.Tests.Configuration;

/// <summary>At start, Graceful says how long a stop can take, so the platform's grace period can be set to match.</summary>
public class StopBudgetTests
{
    [Fact]
    public async Task BoundedSettings_AreSummedIntoTheStopBudget_AtStart()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/", () => "x"),
            o =>
            {
                o.PreStopDelay = TimeSpan.FromSeconds(5);
                o.DrainTimeout = TimeSpan.FromSeconds(25);
                o.HookTimeout = TimeSpan.FromSeconds(2);
            },
            b => b.Services.AddShutdownHook("a", _ => Task.CompletedTask).AddShutdownHook("b", _ => Task.CompletedTask, TimeSpan.FromSeconds(1)));

        // Hosted services keep the host's default 30 s after Graceful's phases.
        Assert.True(app.Logs.Contains("Stop budget: at most 1m03s from signal to exit (pre-stop delay 5.00s, drain 25.00s, hooks 3.00s, hosted services 30.00s)"),
            string.Join('\n', app.Logs.Entries.Select(e => e.Message)));
    }

    [Fact]
    public async Task AppsOwnShutdownTimeout_LongEnough_LeavesHostedServicesWhatRemains()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/", () => "x"),
            o =>
            {
                o.PreStopDelay = TimeSpan.FromSeconds(5);
                o.DrainTimeout = TimeSpan.FromSeconds(25);
                o.HookTimeout = TimeSpan.FromSeconds(2);
            },
            b => b.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(40)));

        Assert.True(app.Logs.Contains("Stop budget: at most 45.00s from signal to exit (pre-stop delay 5.00s, drain 25.00s, hooks 0ms, hosted services 15.00s)"),
            string.Join('\n', app.Logs.Entries.Select(e => e.Message)));
    }

    [Fact]
    public async Task AppsOwnShutdownTimeout_TooShort_IsHonoured_AndTheBudgetSaysItCutsTheDrain()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/", () => "x"),
            o => o.DrainTimeout = TimeSpan.FromSeconds(25),
            b => b.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(4)));

        Assert.True(app.Logs.Contains("Stop budget: at most 4.00s from signal to exit: the app's HostOptions.ShutdownTimeout of 4.00s (counted after the pre-stop delay of 0ms) is shorter than the drain (25.00s) and hooks (0ms)"),
            string.Join('\n', app.Logs.Entries.Select(e => e.Message)));
    }

    [Fact]
    public async Task UnboundedDrain_IsSaidToBeUnbounded()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/", () => "x"));

        Assert.True(app.Logs.Contains("Stop budget: unbounded (Graceful:DrainTimeout is infinite)"));
    }
}
