using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using DrillTestServer;

// Usage: DrillTestServer reset|exit|upgrade|drain|notfound|reject --urls http://127.0.0.1:PORT [--pid-file PATH]
// Routes: GET /ping 200, GET /slow 200 after 300 ms, GET /missing 404, GET /hang never answers, GET /unavailable 503
// with Retry-After. Modes: notfound answers 404 to everything (an app without the drill's paths) and drains at SIGTERM;
// reject drains answering each connection's next request 503 with Retry-After; drain (and upgrade) drain plainly.
var mode = args[0];
var urls = Argument("--urls") ?? "http://127.0.0.1:0";
var pidFile = Argument("--pid-file");

Socket listener;
if (Environment.GetEnvironmentVariable(Upgrade.ListenFdVariable) is { } inherited)
{
    // A new generation after an upgrade: serve the listening socket the old process handed over.
    listener = new Socket(new SafeSocketHandle(int.Parse(inherited, CultureInfo.InvariantCulture), ownsHandle: true));
}
else
{
    var url = new Uri(urls);
    listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Parse(url.Host), url.Port));
    listener.Listen(512);
}

var server = new MiniServer(listener, notFound: mode == "notfound", rejectDuringDrain: mode == "reject");
Console.WriteLine($"Now listening on: http://{listener.LocalEndPoint}");
if (pidFile is not null)
{
    await File.WriteAllTextAsync(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
}

var done = new TaskCompletionSource<int>();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Console.WriteLine($"SIGTERM: {mode}");
    switch (mode)
    {
        case "reset":
            // Stop accepting, reset every connection (requests in flight included), stay up a moment refusing, exit 0.
            server.StopAccepting();
            server.ResetAll();
            _ = Task.Delay(300).ContinueWith(_ => done.TrySetResult(0), TaskScheduler.Default);
            break;
        case "exit":
            // No drain at all: the kernel closes the sockets under whatever was in flight.
            Environment.Exit(3);
            break;
        default:
            _ = server.DrainAsync().ContinueWith(_ => done.TrySetResult(0), TaskScheduler.Default);
            break;
    }
});
using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
{
    context.Cancel = true;
    if (mode == "upgrade")
    {
        _ = Upgrade.HandOverAsync(server, listener, args, pidFile).ContinueWith(_ => done.TrySetResult(0), TaskScheduler.Default);
    }
});

server.Start();
return await done.Task;

string? Argument(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
