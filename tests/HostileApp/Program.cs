using System.Globalization;
using Graceful.AspNetCore;
using HostileApp;

// A new user's app: AddGraceful() at its defaults, app.Run(). The Hostile:* keys add the pieces a test needs.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
var hostile = builder.Configuration.GetSection("Hostile");
if (hostile.GetValue<bool>("ThrowingLogger"))
{
    builder.Logging.AddProvider(new ThrowingLoggerProvider());
}

builder.Services.AddGraceful();
builder.Services.AddHostedService<FirstService>();
builder.Services.AddSingleton(new Slowness(hostile.GetValue<TimeSpan>("SlowStart"), hostile.GetValue<TimeSpan>("SlowStop"),
    hostile.GetValue<TimeSpan>("SlowDispose")));
builder.Services.AddHostedService<SlowStartService>();
builder.Services.AddSingleton(new SlowStarted(hostile.GetValue<TimeSpan>("SlowStarted")));
builder.Services.AddHostedService<SlowStartedService>();
if (hostile.GetValue<bool>("ThrowingHook"))
{
    builder.Services.AddShutdownHook("throws", _ => throw new InvalidOperationException("the hook's own failure"));
}

builder.Services.AddShutdownHook("after-throwing", _ =>
{
    Console.WriteLine("[hook] after-throwing ran");
    return Task.CompletedTask;
});

var app = builder.Build();
app.MapGet("/ping", () => "pong");
app.MapGet("/slow", async (int ms) =>
{
    Console.WriteLine("[slow] start");
    await Task.Delay(ms);
    return "done " + ms.ToString(CultureInfo.InvariantCulture);
});

if (hostile.GetValue<TimeSpan>("DelayBeforeRun") is { } delay && delay > TimeSpan.Zero)
{
    Console.WriteLine("[app] built");
    Thread.Sleep(delay);
}

app.Run();
Console.WriteLine("[app] Run returned");
// The host is disposed: a signal now finds no host, only Graceful's registrations.
Thread.Sleep(hostile.GetValue<TimeSpan>("LingerAfterRun"));
Console.WriteLine("[app] exiting");
