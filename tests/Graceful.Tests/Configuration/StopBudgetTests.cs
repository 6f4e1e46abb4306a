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
        AssertBudget(app, "StopBudget", ("Total", "1m03s"), ("PreStopDelay", "5.00s"), ("Drain", "25.00s"), ("Hooks", "3.00s"), ("HostedServices", "30.00s"));
    }

    [Fact]
    public async Task AnAdaptivePreStop_CountsAtItsMaximum()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/", () => "x"),
            o =>
            {
                o.PreStopDelay = TimeSpan.FromSeconds(1);
                o.PreStopQuietPeriod = TimeSpan.FromMilliseconds(500);
                o.PreStopMaxDelay = TimeSpan.FromSeconds(8);
                o.DrainTimeout = TimeSpan.FromSeconds(10);
            });

        AssertBudget(app, "StopBudget", ("Total", "48.00s"), ("PreStopDelay", "8.00s"), ("Drain", "10.00s"), ("Hooks", "0ms"), ("HostedServices", "30.00s"));
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

        AssertBudget(app, "StopBudget", ("Total", "45.00s"), ("PreStopDelay", "5.00s"), ("Drain", "25.00s"), ("Hooks", "0ms"), ("HostedServices", "15.00s"));
    }

    [Fact]
    public async Task AppsOwnShutdownTimeout_TooShort_IsHonoured_AndTheBudgetSaysItCutsTheDrain()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/", () => "x"),
            o => o.DrainTimeout = TimeSpan.FromSeconds(25),
            b => b.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(4)));

        AssertBudget(app, "StopBudgetCutsDrain", ("Total", "4.00s"), ("ShutdownTimeout", "4.00s"), ("PreStopDelay", "0ms"), ("Drain", "25.00s"), ("Hooks", "0ms"));
    }

    [Fact]
    public async Task UnboundedDrain_IsSaidToBeUnbounded()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/", () => "x"));

        AssertBudget(app, "StopBudgetUnbounded");
    }

    // The one budget line at start: its event, and its values as logged.
    private static void AssertBudget(TestApp app, string eventName, params (string Name, string Value)[] values)
    {
        var budget = Assert.Single(app.Logs.Entries, e => e.EventId.Name is "StopBudget" or "StopBudgetUnbounded" or "StopBudgetCutsDrain");
        Assert.Equal(eventName, budget.EventId.Name);
        Assert.Equal(values, values.Select(v => (v.Name, budget[v.Name]!)));
    }
}
