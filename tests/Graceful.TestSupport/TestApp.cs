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

    public static async Task<TestApp> StartAsync(
        Action<WebApplication> map,
        Action<GracefulOptions>? configure = null,
        Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new LogCollector();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        configureBuilder?.Invoke(builder);
        builder.Services.AddGraceful(configure);
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
