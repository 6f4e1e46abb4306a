using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Graceful.TestSupport;

/// <summary>A real Kestrel app with Graceful on 127.0.0.1 and a free port, inside the test process.</summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, LogCollector logs)
    {
        App = app;
        Logs = logs;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }

    public WebApplication App { get; }

    public LogCollector Logs { get; }

    public Uri BaseAddress { get; }

    public IGracefulShutdown Shutdown => App.Services.GetRequiredService<IGracefulShutdown>();

    public static Task<TestApp> StartAsync(
        Action<WebApplication> map,
        Action<GracefulOptions>? configure = null,
        Action<WebApplicationBuilder>? configureBuilder = null) =>
        StartAsync(WebApplication.CreateSlimBuilder(), map, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            configureBuilder?.Invoke(builder);
            builder.Services.AddGraceful(configure);
        });

    /// <summary>
    /// A <c>dotnet new web</c> app: the full builder, and nothing configured but what <paramref name="configure"/>
    /// adds (Graceful included, or not).
    /// </summary>
    public static Task<TestApp> StartFreshAsync(Action<WebApplicationBuilder> configure, Action<WebApplication> map) =>
        StartAsync(WebApplication.CreateBuilder(), map, configure);

    private static async Task<TestApp> StartAsync(WebApplicationBuilder builder, Action<WebApplication> map, Action<WebApplicationBuilder> configure)
    {
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new LogCollector();
        builder.Logging.ClearProviders().AddProvider(logs);
        configure(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new TestApp(app, logs);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        using var stopBound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await App.StopAsync(stopBound.Token);
        }
        finally
        {
            await App.DisposeAsync();
        }
    }
}
