using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.Tests.Limits;

/// <summary>Adding Graceful at its defaults changes no limit the app did not ask it to change.</summary>
public class NothingUnaskedTests
{
    private const int SixtyKilobytes = 60 * 1024;
    private const int TwentyKilobytes = 20 * 1024;

    public enum Setup { Bare, Graceful }

    public enum Order { KestrelFirst, GracefulFirst }

    [Theory]
    [InlineData(Setup.Bare)]
    [InlineData(Setup.Graceful)]
    public async Task FreshApp_Answers431ForA60KBHeader_And414ForA20KBUrl(Setup setup)
    {
        await using var app = await FreshApp.StartAsync(b =>
        {
            if (setup == Setup.Graceful)
            {
                b.Services.AddGraceful();
            }
        });

        Assert.Equal(431, await app.StatusForAsync("/ping", $"X-Big: {new string('a', SixtyKilobytes)}\r\n"));
        Assert.Equal(414, await app.StatusForAsync($"/ping?q={new string('a', TwentyKilobytes)}"));
        Assert.Equal(200, await app.StatusForAsync("/ping", $"X-Small: {new string('a', 1000)}\r\n"));
    }

    [Theory]
    [InlineData(Order.KestrelFirst)]
    [InlineData(Order.GracefulFirst)]
    public async Task AppsOwnKestrelLimits_SurviveAddGraceful_InEitherOrder(Order order)
    {
        await using var app = await FreshApp.StartAsync(b => InOrder(b, order,
            () => b.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestHeadersTotalSize = 16 * 1024),
            () => b.Services.AddGraceful()));

        Assert.Equal(431, await app.StatusForAsync("/ping", $"X-Big: {new string('a', TwentyKilobytes)}\r\n"));
        Assert.Equal(200, await app.StatusForAsync("/ping", $"X-Big: {new string('a', 10 * 1024)}\r\n"));
    }

    [Theory]
    [InlineData(Order.KestrelFirst)]
    [InlineData(Order.GracefulFirst)]
    public async Task GracefulAndKestrelBothSettingALimit_TheAppsKestrelValueWins_AndTheConflictIsLoggedOnce(Order order)
    {
        await using var app = await FreshApp.StartAsync(b => InOrder(b, order,
            () => b.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestHeadersTotalSize = 16 * 1024),
            () => b.Services.AddGraceful(o => o.Limits.MaxHeaderBytes = 1 << 20)));

        Assert.Equal(431, await app.StatusForAsync("/ping", $"X-Big: {new string('a', TwentyKilobytes)}\r\n"));
        // Graceful's value applies where the app left Kestrel's default: a 20 KB request line now fits.
        Assert.Equal(200, await app.StatusForAsync($"/ping?q={new string('a', TwentyKilobytes)}"));
        var conflict = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "LimitSizeConflict");
        Assert.Equal(LogLevel.Warning, conflict.Level);
        Assert.Equal(("Graceful:Limits:MaxHeaderBytes", "MaxRequestHeadersTotalSize", "16384"), (conflict["Key"], conflict["KestrelLimit"], conflict["Kestrel"]));
    }

    [Fact]
    public async Task KestrelsConfigurationSection_StillWins_OverGracefulsLimit()
    {
        await using var app = await FreshApp.StartAsync(b =>
        {
            // Kestrel's limits bind from its section the documented way (the default builder reads only its endpoints).
            b.Configuration["Kestrel:Limits:MaxRequestHeadersTotalSize"] = "16384";
            b.Services.Configure<KestrelServerOptions>(b.Configuration.GetSection("Kestrel"));
            b.Services.AddGraceful(o => o.Limits.MaxHeaderBytes = 1 << 20);
        });

        Assert.Equal(431, await app.StatusForAsync("/ping", $"X-Big: {new string('a', TwentyKilobytes)}\r\n"));
        Assert.Single(app.Logs.Entries, e => e.EventId.Name == "LimitSizeConflict");
    }

    [Fact]
    public async Task AppsOwnSmallRequestBuffer_Wins_OverGracefulsLargerHeaderLimit_AndTheAppStillStarts()
    {
        await using var app = await FreshApp.StartAsync(b =>
        {
            b.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBufferSize = 64 * 1024);
            b.Services.AddGraceful(o => o.Limits.MaxHeaderBytes = 1 << 20);
        });

        Assert.Equal(431, await app.StatusForAsync("/ping", $"X-Big: {new string('a', SixtyKilobytes)}\r\n"));
        var conflict = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "LimitSizeConflict");
        Assert.Equal(("MaxRequestBufferSize", "65536"), (conflict["KestrelLimit"], conflict["Kestrel"]));
        Assert.Equal(64 * 1024, app.KestrelLimits().MaxRequestBufferSize);
    }

    [Fact]
    public async Task GracefulLimitsSetOnlyThere_Apply()
    {
        await using var app = await FreshApp.StartAsync(b => b.Services.AddGraceful(o =>
        {
            o.Limits.MaxHeaderBytes = 2 << 20;
            o.Limits.IdleTimeout = TimeSpan.FromSeconds(7);
            o.Limits.ReadHeaderTimeout = Timeout.InfiniteTimeSpan;
        }));

        var kestrel = app.KestrelLimits();
        Assert.Equal(2 << 20, kestrel.MaxRequestHeadersTotalSize);
        Assert.Equal(2 << 20, kestrel.MaxRequestLineSize);
        Assert.True(kestrel.MaxRequestBufferSize >= 2 << 20, "Kestrel's buffer grows to hold the headers");
        Assert.Equal(TimeSpan.FromSeconds(7), kestrel.KeepAliveTimeout);
        Assert.Equal(TimeSpan.MaxValue, kestrel.RequestHeadersTimeout);
        Assert.Equal(200, await app.StatusForAsync("/ping", $"X-Big: {new string('a', 1 << 20)}\r\n"));
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level is >= LogLevel.Warning and < LogLevel.None);
    }

    [Fact]
    public async Task AtItsDefaults_GracefulLeavesEveryKestrelLimitAsKestrelHasIt()
    {
        await using var bare = await FreshApp.StartAsync(_ => { });
        await using var graceful = await FreshApp.StartAsync(b => b.Services.AddGraceful());

        var expected = bare.KestrelLimits();
        var actual = graceful.KestrelLimits();
        Assert.Equal(expected.MaxRequestHeadersTotalSize, actual.MaxRequestHeadersTotalSize);
        Assert.Equal(expected.MaxRequestLineSize, actual.MaxRequestLineSize);
        Assert.Equal(expected.MaxRequestBufferSize, actual.MaxRequestBufferSize);
        Assert.Equal(expected.RequestHeadersTimeout, actual.RequestHeadersTimeout);
        Assert.Equal(expected.KeepAliveTimeout, actual.KeepAliveTimeout);
        Assert.Equal(expected.MaxRequestBodySize, actual.MaxRequestBodySize);
    }

    [Theory]
    [InlineData(Order.KestrelFirst)]
    [InlineData(Order.GracefulFirst)]
    public async Task AppsOwnShutdownTimeout_SurvivesAddGraceful_InEitherOrder_AndTheBudgetSaysItCutsTheDrain(Order order)
    {
        await using var app = await FreshApp.StartAsync(b => InOrder(b, order,
            () => b.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(7)),
            () => b.Services.AddGraceful()));

        Assert.Equal(TimeSpan.FromSeconds(7), app.App.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        var budget = Assert.Single(app.Logs.Entries, e => e.EventId.Name is "StopBudget" or "StopBudgetUnbounded" or "StopBudgetCutsDrain");
        Assert.Equal("StopBudgetCutsDrain", budget.EventId.Name);
        Assert.Equal("7.00s", budget["ShutdownTimeout"]);
    }

    [Fact]
    public async Task ShutdownTimeoutLeftUnset_IsExtendedToHoldAnUnboundedDrain()
    {
        await using var app = await FreshApp.StartAsync(b => b.Services.AddGraceful());

        Assert.Equal(Timeout.InfiniteTimeSpan, app.App.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    private static void InOrder(WebApplicationBuilder builder, Order order, Action kestrel, Action graceful)
    {
        _ = builder;
        (order == Order.KestrelFirst ? kestrel : graceful)();
        (order == Order.KestrelFirst ? graceful : kestrel)();
    }

    private static class FreshApp
    {
        public static Task<TestApp> StartAsync(Action<WebApplicationBuilder> configure) =>
            TestApp.StartFreshAsync(configure, app => app.MapGet("/ping", () => "pong"));
    }
}

/// <summary>What the limits tests ask of an app.</summary>
internal static class LimitsProbe
{
    public static KestrelServerLimits KestrelLimits(this TestApp app) =>
        app.App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

    public static async Task<int> StatusForAsync(this TestApp app, string path, string? extraHeaders = null)
    {
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress);
        await connection.SendGetAsync(path, extraHeaders);
        return (await connection.ReadResponseAsync()).StatusCode;
    }
}
