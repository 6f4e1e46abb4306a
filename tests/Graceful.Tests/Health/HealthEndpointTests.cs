using System.Net;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Graceful.Tests.Health;

/// <summary>The readiness and liveness endpoints as an application maps them: with its conventions, under its policies.</summary>
public class HealthEndpointTests
{
    private const string AspNetCoreHealthChecks = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    [Fact]
    public async Task UnderAFallbackAuthorizationPolicy_AllowAnonymousChainsOntoBothProbes()
    {
        await using var app = await StartAsync(
            b => b.Services.AddAuthentication().AddBearerToken(),
            b => b.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()),
            a =>
            {
                a.MapGet("/orders", () => "orders");
                a.MapGracefulHealthChecks().AllowAnonymous();
            });
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
    }

    [Fact]
    public async Task UnderAFallbackAuthorizationPolicy_WithoutAllowAnonymous_BothProbesAreChallenged()
    {
        await using var app = await StartAsync(
            b => b.Services.AddAuthentication().AddBearerToken(),
            b => b.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()),
            a => a.MapGracefulHealthChecks());
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/healthz/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/healthz/live")).StatusCode);
    }

    [Fact]
    public async Task RequireHost_ChainsOntoBothProbes()
    {
        await using var app = await StartAsync(_ => { }, _ => { }, a => a.MapGracefulHealthChecks().RequireHost("probes.internal"));
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/healthz/ready")).StatusCode);
        foreach (var path in new[] { "/healthz/ready", "/healthz/live" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "probes.internal";
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        }
    }

    [Fact]
    public async Task DuringThePreStop_ReadinessAnswers503_WithOneInformationLine_AndNoErrorLinePerProbe()
    {
        await using var app = await StartAsync(
            b => b.Services.AddGraceful(o => o.PreStopDelay = TimeSpan.FromMinutes(5)),
            _ => { },
            a => a.MapGracefulHealthChecks());
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);

        using var endPreStop = new CancellationTokenSource();
        var shutdown = app.Shutdown.ShutdownAsync(endPreStop.Token);
        for (var probe = 0; probe < 3; probe++)
        {
            using var ready = await client.GetAsync("/healthz/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
            Assert.Equal("no-store, no-cache", ready.Headers.CacheControl?.ToString());
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        await endPreStop.CancelAsync();
        Assert.True((await shutdown.WaitAsync(TimeSpan.FromSeconds(30))).Completed);

        var turned = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "ReadinessTurned");
        Assert.Equal(LogLevel.Information, turned.Level);
        // LogLevel.None entries are Graceful's rehearsals of its shutdown lines, which no provider writes.
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level is >= LogLevel.Error and < LogLevel.None);
    }

    [Fact]
    public async Task TheApplicationsOwnFailingCheck_StillLogsAnError_AndFailsReadiness()
    {
        await using var app = await StartAsync(
            b => b.Services.AddHealthChecks().AddCheck("orders-db", () => HealthCheckResult.Unhealthy("no connection"), [GracefulHealthCheckExtensions.ReadyTag]),
            _ => { },
            a => a.MapGracefulHealthChecks());
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.Category == AspNetCoreHealthChecks && e.Level == LogLevel.Error && e.Message.Contains("orders-db", StringComparison.Ordinal));
    }

    // A fresh app with Graceful and its checks; `first` may add Graceful with options of its own (AddGraceful once wins).
    private static Task<TestApp> StartAsync(Action<WebApplicationBuilder> first, Action<WebApplicationBuilder> then, Action<WebApplication> map) =>
        TestApp.StartFreshAsync(b =>
        {
            first(b);
            b.Services.AddGraceful();
            b.Services.AddHealthChecks().AddGracefulChecks();
            then(b);
        }, map);
}
