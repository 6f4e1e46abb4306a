using System.Globalization;
using System.Text.Json.Serialization;
using Graceful.AspNetCore;
using Microsoft.Extensions.Logging.Console;

namespace SlowService;

/// <summary>The demo's routes on a Graceful ASP.NET Core app.</summary>
internal static partial class SlowServiceApp
{
    public static async Task<int> RunAsync(SlowServiceSettings settings)
    {
        // appsettings.json sits beside the program, wherever it is started from.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Urls);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // The standard Logging:Console:FormatterName key, which the line above would override: json writes each entry
        // as one JSON object per line, its event id and values included (the tests read their facts from it).
        if (builder.Configuration["Logging:Console:FormatterName"] == ConsoleFormatterNames.Json)
        {
            builder.Logging.AddJsonConsole();
        }

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, SlowServiceJson.Default));

        // The one line that makes the service stop gracefully.
        builder.Services.AddGraceful(o =>
        {
            if (settings.ShutdownTimeout is { } drainTimeout)
            {
                o.DrainTimeout = drainTimeout;
            }

            if (settings.PreStopDelay is { } preStopDelay)
            {
                o.PreStopDelay = preStopDelay;
            }

            if (settings.PreStopQuiet is { } preStopQuiet)
            {
                o.PreStopQuietPeriod = preStopQuiet;
            }

            if (settings.PreStopMax is { } preStopMax)
            {
                o.PreStopMaxDelay = preStopMax;
            }

            if (settings.PreStopClose is { } preStopClose)
            {
                o.PreStopCloseConnections = preStopClose;
            }

            if (settings.ReportPath is { } reportPath)
            {
                o.ReportPath = reportPath;
            }

            o.PidFile = settings.PidFile ?? o.PidFile;
            o.Upgrade.Enabled = true;
        });

        builder.Services.AddHealthChecks().AddGracefulChecks();

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SlowService");

        app.MapGracefulHealthChecks();
        app.UseWebSockets();
        app.MapGet("/ping", () => "pong");
        // Which process answered: after an upgrade, the successor's id.
        app.MapGet("/pid", () => Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        // A request with a body, for load mixes (graceful-drill --request "10 POST /echo hello").
        app.MapPost("/echo", async (HttpRequest request) => await new StreamReader(request.Body).ReadToEndAsync(request.HttpContext.RequestAborted));
        app.MapGet("/events", (HttpContext context) =>
            TypedResults.ServerSentEvents(StreamEndpoints.TicksAsync(context.RequestAborted).UntilDraining(context), eventType: "tick"));
        app.Map("/ws", StreamEndpoints.EchoAsync);
        app.MapGet("/slow", async (CancellationToken requestAborted) =>
        {
            LogStart(log);
            await Task.Delay(settings.Slow, requestAborted);
            LogEnd(log);
            return new Message("success");
        });

        return await app.RunGracefullyAsync();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "[start] SlowHandler")]
    private static partial void LogStart(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "[end] SlowHandler")]
    private static partial void LogEnd(ILogger logger);
}

/// <summary>The body of GET /slow.</summary>
internal sealed record Message([property: JsonPropertyName("message")] string Text);

[JsonSerializable(typeof(Message))]
internal sealed partial class SlowServiceJson : JsonSerializerContext;
