// A bare ASP.NET Core app with the same routes as samples/SlowService, stopped by the Generic Host's own
// ConsoleLifetime: the peer Graceful is measured against. Usage: BareAspNetCore --urls URL [--slow 30s]
var slow = TimeSpan.FromSeconds(30);
var urls = "http://*:8080";
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--slow":
            slow = ParseDuration(args[i + 1]);
            break;
        case "--urls":
            urls = args[i + 1];
            break;
    }
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseUrls(urls);
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
var app = builder.Build();
app.MapGet("/ping", () => "pong");
app.MapGet("/slow", async (CancellationToken ct) =>
{
    await Task.Delay(slow, ct);
    return "{\"message\":\"success\"}";
});
app.Run();

// "500ms", "2s" or TimeSpan syntax: enough for the benchmarks that drive this peer.
static TimeSpan ParseDuration(string text) =>
    text.EndsWith("ms", StringComparison.Ordinal) ? TimeSpan.FromMilliseconds(double.Parse(text[..^2], System.Globalization.CultureInfo.InvariantCulture))
    : text.EndsWith('s') ? TimeSpan.FromSeconds(double.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture))
    : TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
