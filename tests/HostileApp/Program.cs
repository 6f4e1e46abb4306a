using System.Globalization;
using Graceful.AspNetCore;
using HostileApp;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Console;

// A new user's app: AddGraceful() at its defaults, app.Run(). The Hostile:* keys add the pieces a test needs.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
// Logging:Console:FormatterName=json (as the tests set it) wins over the line above: one JSON object per entry.
if (builder.Configuration["Logging:Console:FormatterName"] == ConsoleFormatterNames.Json)
{
    builder.Logging.AddJsonConsole();
}

var hostile = builder.Configuration.GetSection("Hostile");
if (hostile.GetValue<bool>("ThrowingLogger"))
{
    builder.Logging.AddProvider(new ThrowingLoggerProvider());
}

// Hostile:Systemd = before | after: the lifetime UseSystemd()/AddSystemd() registers under systemd, on the chosen side
// of AddGraceful() (registered directly: a test process is not started by systemd, so AddSystemd() would do nothing).
var systemd = hostile.GetValue<string>("Systemd");
if (systemd == "before")
{
    AddSystemdLifetime(builder.Services);
}

// Hostile:SlowAccept: Kestrel takes each connection from the accept queue only after this pause.
if (hostile.GetValue<TimeSpan>("SlowAccept") is var slowAccept && slowAccept > TimeSpan.Zero)
{
    SlowAccept.Wrap(builder.Services, slowAccept);
}

builder.Services.AddGraceful();
if (systemd == "after")
{
    AddSystemdLifetime(builder.Services);
}
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
// Answers once the drain has started (at most a minute): a request provably in flight across the drain's start,
// however slowly the machine delivers the signal.
app.MapGet("/until-draining", async (IShutdownTokens shutdown) =>
{
    Console.WriteLine("[slow] start");
    await Task.Delay(TimeSpan.FromMinutes(1), shutdown.Draining).ContinueWith(_ => { }, TaskScheduler.Default);
    return "drained";
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

static void AddSystemdLifetime(IServiceCollection services)
{
    services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
    services.AddSingleton<IHostLifetime, SystemdLifetime>();
}
