using System.Globalization;
using YarpBalancer;

// A YARP reverse proxy on 127.0.0.1, round robin over backends on loopback ports, no retries. Usage:
//   YarpBalancer --port P --admin-port A --backends 5001,5002 [--health-path /healthz/ready --health-interval-ms 500]
// Without --health-path, destinations leave and rejoin rotation through the admin port (POST /destinations/d1/out,
// POST /destinations/d1/in), which replaces the in-memory configuration as a Kubernetes ingress controller would. With
// it, YARP's active health checks decide (one failed probe takes a destination out, one passing probe puts it back).
// Every proxied request is logged on standard output as "request <unix ms> <destination> <status>".
var settings = ProxySettings.Parse(args);
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseUrls($"http://127.0.0.1:{settings.Port}", $"http://127.0.0.1:{settings.AdminPort}");
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
var rotation = new Rotation(settings);
builder.Services.AddSingleton(rotation);
builder.Services.AddReverseProxy().LoadFromMemory(rotation.Routes, rotation.Clusters());
var requestLog = new RequestLog(Console.OpenStandardOutput());
var app = builder.Build();
rotation.Provider = app.Services.GetRequiredService<Yarp.ReverseProxy.Configuration.InMemoryConfigProvider>();

app.MapPost("/destinations/{id}/{state}", (HttpContext context, string id, string state) =>
{
    if (context.Connection.LocalPort != settings.AdminPort)
    {
        return Results.NotFound();
    }

    return rotation.Set(id, state) ? Results.Ok($"{id} {state}\n") : Results.BadRequest($"unknown destination {id} or state {state} (in, out)\n");
});
app.MapReverseProxy(proxy => proxy.Use(async (context, next) =>
{
    var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    await next();
    var destination = context.GetReverseProxyFeature().ProxiedDestination?.DestinationId ?? "-";
    requestLog.Add(string.Create(CultureInfo.InvariantCulture, $"request {at} {destination} {context.Response.StatusCode}"));
}));

await app.StartAsync();
Console.WriteLine($"YARP listening on 127.0.0.1:{settings.Port}, admin on 127.0.0.1:{settings.AdminPort}");
await app.WaitForShutdownAsync();
await requestLog.DisposeAsync();
