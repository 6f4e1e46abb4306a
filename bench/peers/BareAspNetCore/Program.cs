using Graceful.AspNetCore;

// A bare ASP.NET Core app with the same routes as samples/SlowService, stopped by the Generic Host's own
// ConsoleLifetime: the peer Graceful is measured against. With --graceful, the same app with AddGraceful and
// nothing else changed, for on/off comparisons. With --heap, GET /heap answers the managed heap after a full collection
// and the working set, in bytes (bench/Drain memory). With --streams, /ws and /events: the long-lived streams of the
// drain benchmark (StreamRoutes). With --inline, Kestrel runs each connection's I/O and requests on the thread whose
// socket completed (SocketTransportOptions.UnsafePreferInlineScheduling): no thread-pool hand-off per request, so
// bench/instructions.sh counts the request path rather than how the threads happened to meet.
// With --stop-floor-probe (without --graceful), Kestrel's own stop with each idle socket closed in place and nothing
// else: the least a stop within issue 17's limits can do (StopFloorProbe, bench/Drain idle); with --held-handshakes, its
// listeners also wait for the handshakes the kernel holds before they close, as no request may be lost.
// Usage: BareAspNetCore --urls URL [--slow 30s] [--graceful] [--heap] [--streams [--close-on-stopping]] [--inline] [--stop-floor-probe [--held-handshakes]]
var slow = TimeSpan.FromSeconds(30);
var urls = "http://*:8080";
var graceful = args.Contains("--graceful");
var health = args.Contains("--health");
var heap = args.Contains("--heap");
for (var i = 0; i + 1 < args.Length; i++)
{
    switch (args[i])
    {
        case "--slow":
            slow = ParseDuration(args[++i]);
            break;
        case "--urls":
            urls = args[++i];
            break;
    }
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseUrls(urls);
if (args.Contains("--inline"))
{
    builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
}

builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
if (graceful)
{
    builder.Services.AddGraceful();
}

if (health)
{
    builder.Services.AddHealthChecks();
}

if (args.Contains("--stop-floor-probe"))
{
    StopFloorProbe.Add(builder.Services, args.Contains("--held-handshakes"));
}

var app = builder.Build();
if (health)
{
    app.MapHealthChecks("/healthz/ready");
}

if (heap)
{
    app.MapGet("/heap", () => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{GC.GetTotalMemory(forceFullCollection: true)} {Environment.WorkingSet}"));
}

app.MapGet("/ping", () => "pong");
// For bench/allocations.sh: bytes allocated by the whole process so far (every thread), the same in both modes.
app.MapGet("/allocated", () => GC.GetTotalAllocatedBytes(precise: true).ToString(System.Globalization.CultureInfo.InvariantCulture));
if (args.Contains("--streams"))
{
    // Off unless asked: the WebSocket middleware would add its check to every request the other benchmarks measure.
    app.MapStreamRoutes(closeOnStopping: args.Contains("--close-on-stopping"));
}

app.MapGet("/slow", async (CancellationToken ct) =>
{
    await Task.Delay(slow, ct);
    return "{\"message\":\"success\"}";
});
// --gc-log: the collections and GC pause time from the stop's start to the process's exit, to tell a GC in a slow stop.
if (args.Contains("--gc-log"))
{
    var atStop = (Gen0: 0, Gen1: 0, Gen2: 0, Paused: TimeSpan.Zero);
    app.Lifetime.ApplicationStopping.Register(() => atStop = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration()));
    AppDomain.CurrentDomain.ProcessExit += (_, _) => Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"gc from the stop to the exit: gen0 +{GC.CollectionCount(0) - atStop.Gen0}, gen1 +{GC.CollectionCount(1) - atStop.Gen1}, gen2 +{GC.CollectionCount(2) - atStop.Gen2}, paused {(GC.GetTotalPauseDuration() - atStop.Paused).TotalMilliseconds:0.0} ms"));
}

app.Run();

// "500ms", "2s" or TimeSpan syntax: enough for the benchmarks that drive this peer.
static TimeSpan ParseDuration(string text) =>
    text.EndsWith("ms", StringComparison.Ordinal) ? TimeSpan.FromMilliseconds(double.Parse(text[..^2], System.Globalization.CultureInfo.InvariantCulture))
    : text.EndsWith('s') ? TimeSpan.FromSeconds(double.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture))
    : TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
