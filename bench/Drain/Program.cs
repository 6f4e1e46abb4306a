using System.Diagnostics;
using System.Globalization;
using Graceful.Harness;

// Usage:
//   Drain lost [clients] [rounds] name=program ...   busy keep-alive clients on /ping, one SIGTERM a round:
//                                                    requests answered, lost (sent, then EOF/reset), refused
//   Drain idle [connections] [rounds] name=program ...   exit time after SIGTERM with that many keep-alive
//                                                    connections, each used once and then idle for 2 s, beside
//                                                    the SIGKILL floor with the same connections, and the server's
//                                                    CPU time from the signal to its end
//   Drain memory [connections] [rounds] name=program ... managed heap (after a full collection) and working set
//                                                    with that many idle keep-alive connections and with none, for
//                                                    programs that answer GET /heap (BareAspNetCore --heap)
//   Drain websockets|sse [streams] [rounds] name=program ...   the same with open WebSockets (/ws, their clients
//                                                    answer the close at once) or server-sent-event streams
//                                                    (/events), counting the streams that ended cleanly
//   Drain rolling [restarts] [lag-ms] name=program ...   two instances behind HAProxy under paced keep-alive load,
//                                                    restarted in turn; HAProxy stops routing to an instance
//                                                    lag-ms after its SIGTERM (bench/rolling-restart.sh)
//   Drain requests [count] [connections] url            exactly that many GET /ping on that many keep-alive
//                                                    connections of a running server (bench/instructions.sh)
// A program is a .dll (run with dotnet) or an executable, optionally followed by its own arguments.
var mode = args[0];
if (mode == "requests")
{
    return await ExactRequestsAsync(new Uri(args[3]), int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
}

var count = int.Parse(args[1], CultureInfo.InvariantCulture);
var rounds = int.Parse(args[2], CultureInfo.InvariantCulture);
var apps = args.Skip(3).Select(a => (Name: a[..a.IndexOf('=', StringComparison.Ordinal)], Program: a[(a.IndexOf('=', StringComparison.Ordinal) + 1)..])).ToArray();

switch (mode)
{
    case "lost":
        Console.WriteLine($"Busy keep-alive clients racing one SIGTERM: {count} clients on GET /ping, SIGTERM after 1 s, {rounds} rounds each.");
        Console.WriteLine();
        Console.WriteLine("| server | requests answered | lost (sent, then EOF/reset) | lost per round | refused connects |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (name, program) in apps)
        {
            var total = new LoadResult(0, 0, 0);
            for (var round = 0; round < rounds; round++)
            {
                var result = await LostRoundAsync(program, count);
                total = new LoadResult(total.Ok + result.Ok, total.Lost + result.Lost, total.Refused + result.Refused);
            }

            Console.WriteLine($"| {name} | {total.Ok} | {total.Lost} | {(double)total.Lost / rounds:0.#} | {total.Refused} |");
        }

        break;
    case "idle":
        Console.WriteLine($"Exit after SIGTERM with {count} keep-alive connections idle for 2 s (longer than Graceful's 1 s idle grace), " +
            $"beside the same app with the same connections killed with SIGKILL (the kernel's teardown of the process and its sockets); " +
            $"{rounds} rounds, apps interleaved, milliseconds.");
        Console.WriteLine();
        Console.WriteLine("| server | SIGKILL floor (median) | SIGTERM to exit (median) | max | above the floor | exit / floor | exit / pooled floor | CPU after SIGTERM (median) | CPU after SIGKILL (median) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var exits = apps.ToDictionary(a => a.Name, _ => (Term: new List<double>(), Kill: new List<double>(), TermCpu: new List<double>(), KillCpu: new List<double>()));
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, program) in apps)
            {
                var (term, termCpu) = await IdleExitAsync(program, count, Signals.SIGTERM);
                var (kill, killCpu) = await IdleExitAsync(program, count, Signals.SIGKILL);
                exits[name].Term.Add(term);
                exits[name].TermCpu.Add(termCpu);
                exits[name].Kill.Add(kill);
                exits[name].KillCpu.Add(killCpu);
            }
        }

        // The floors of apps on one runtime are the same kernel work (the same sockets, heaps of about one size), yet one
        // app's median moves by up to 25 ms from another's in the same run: for them, the mean of the apps' medians is
        // the steadier floor to divide by. (An app on another runtime, gin's, has a smaller heap to tear down.)
        var pooledFloor = apps.Average(a => Statistics.Median(exits[a.Name].Kill));
        foreach (var (name, _) in apps)
        {
            var (term, kill, termCpu, killCpu) = exits[name];
            var (termMedian, killMedian) = (Statistics.Median(term), Statistics.Median(kill));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {killMedian:0.0} | {termMedian:0.0} | {term.Max():0.0} | {termMedian - killMedian:0.0} | {termMedian / killMedian:0.00} | {termMedian / pooledFloor:0.00} | {Statistics.Median(termCpu):0} | {Statistics.Median(killCpu):0} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nPooled floor (the mean of the apps' floor medians): {pooledFloor:0.0} ms."));

        break;
    case "memory":
        Console.WriteLine($"Managed heap after a full collection, and working set, with {count} idle keep-alive connections (each used once) " +
            $"and with none; {rounds} rounds, apps interleaved, medians; per connection = (with - without) / {count}.");
        Console.WriteLine();
        Console.WriteLine("| server | heap, no connections (KB) | heap with them (KB) | heap per connection (bytes) | working set per connection (bytes) |");
        Console.WriteLine("|---|---|---|---|---|");
        var samples = apps.ToDictionary(a => a.Name, _ => (Heap: new List<double>(), WorkingSet: new List<double>(), Empty: new List<double>()));
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, program) in apps)
            {
                var (emptyHeap, emptySet) = await HeapWithConnectionsAsync(program, 0);
                var (heap, set) = await HeapWithConnectionsAsync(program, count);
                samples[name].Empty.Add(emptyHeap);
                samples[name].Heap.Add((heap - emptyHeap) / count);
                samples[name].WorkingSet.Add((set - emptySet) / count);
            }
        }

        foreach (var (name, _) in apps)
        {
            var (heap, set, empty) = samples[name];
            var perConnection = Statistics.Median(heap);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Statistics.Median(empty) / 1024:0} | {(Statistics.Median(empty) + perConnection * count) / 1024:0} | {perConnection:0} | {Statistics.Median(set):0} |"));
        }

        break;
    case "websockets" or "sse":
        await StreamExits.PrintTableAsync(mode, count, rounds, apps);
        break;
    case "rolling":
        Console.WriteLine($"Rolling restart behind HAProxy (no health checks, retries 0, backend keep-alive reuse): {count} restarts, " +
            $"HAProxy stops routing to an instance {rounds} ms after its SIGTERM; 16 keep-alive clients, each pausing 10 ms between requests.");
        Console.WriteLine();
        Console.WriteLine("| server | requests ok | failed | non-2xx | lost | refused |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, program) in apps)
        {
            var parts = program.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var result = await RollingRestart.RunAsync(parts[0], parts[1..], count, TimeSpan.FromMilliseconds(rounds));
            Console.WriteLine($"| {name} | {result.Ok} | {result.Failed} | {result.NonSuccess} | {result.Lost} | {result.Refused} |");
        }

        break;
    default:
        throw new ArgumentException($"Unknown mode {mode}: use lost, idle, websockets, sse or rolling.");
}

return 0;

static async Task<int> ExactRequestsAsync(Uri server, int count, int connections)
{
    await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
    {
        using var connection = await RawHttpConnection.ConnectAsync(server);
        for (var sent = i; sent < count; sent += connections)
        {
            await connection.SendGetAsync("/ping");
            var response = await connection.ReadResponseAsync();
            if (response.StatusCode != 200)
            {
                throw new InvalidOperationException($"GET /ping answered {response.StatusCode}");
            }
        }
    }));
    return 0;
}


// "program arg arg": a program followed by its own arguments, then the listening address.
static Task<ServiceProcess> StartAsync(string program, params string[] more)
{
    var parts = program.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return ServiceProcess.StartAsync(parts[0], [.. parts[1..], .. more, "--urls", "http://127.0.0.1:0"]);
}

static async Task<LoadResult> LostRoundAsync(string program, int clients)
{
    await using var app = await StartAsync(program);
    var load = KeepAliveLoad.RunAsync(app.BaseAddress, clients, "/ping", TimeSpan.FromSeconds(8));
    await Task.Delay(1000);
    app.Signal(Signals.SIGTERM);
    var result = await load;
    await app.WaitForExitAsync(TimeSpan.FromSeconds(30));
    return result;
}

// Exit time (ms) and the server's CPU time from the signal to its end (ms).
static async Task<(double Exit, double Cpu)> IdleExitAsync(string program, int connections, int signal)
{
    await using var app = await StartAsync(program);
    var exited = ExitWatch.Start(app.Pid);
    var open = await OpenUsedConnectionsAsync(app.BaseAddress, connections);
    try
    {
        await Task.Delay(2000);
        // No other child is reaped meanwhile, so accounting may start here rather than before the app started.
        var cpu = ChildCpuTime.BeforeStart();
        cpu.Mark(app.Pid);
        var signalled = Stopwatch.GetTimestamp();
        app.Signal(signal);
        await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var exit = Stopwatch.GetElapsedTime(signalled, await exited).TotalMilliseconds;
        // DRAIN_LOG=1 prints each stop's log, to see where the time of a slow round went.
        if (Environment.GetEnvironmentVariable("DRAIN_LOG") == "1")
        {
            Console.Error.WriteLine($"--- {program}, signal {signal}, exit {exit:0.0} ms\n{app.Output}");
        }

        return (exit, cpu.SinceMark().TotalMilliseconds);
    }
    finally
    {
        // Reset, not closed: the server has closed its end already, so a FIN from here would leave its socket in TIME_WAIT
        // for a minute, 10,000 per stop. The next stops would then find 100,000 and more in the kernel's table, which
        // Graceful's held-handshake check walks (about 13 ms at 110,000): each round would pay for the ones before it.
        open.ForEach(c => c.Abort());
    }
}

// Managed heap after a full collection and working set (bytes), as the program's GET /heap reports them.
static async Task<(double Heap, double WorkingSet)> HeapWithConnectionsAsync(string program, int connections)
{
    await using var app = await StartAsync(program, "--heap");
    var open = await OpenUsedConnectionsAsync(app.BaseAddress, connections);
    try
    {
        using var probe = await RawHttpConnection.ConnectAsync(app.BaseAddress);
        await probe.SendGetAsync("/heap");
        var numbers = (await probe.ReadResponseAsync()).Body.Split(' ').Select(n => double.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        app.Signal(Signals.SIGKILL);
        await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (numbers[0], numbers[1]);
    }
    finally
    {
        open.ForEach(c => c.Dispose());
    }
}

// Each connection serves one GET /ping and stays open. Opened in batches: a burst of 10,000 connects would overflow
// the listen backlog.
static async Task<List<RawHttpConnection>> OpenUsedConnectionsAsync(Uri server, int connections)
{
    var open = new List<RawHttpConnection>(connections);
    for (var i = 0; i < connections; i += 200)
    {
        var batch = await Task.WhenAll(Enumerable.Range(0, Math.Min(200, connections - i)).Select(async _ =>
        {
            var connection = await RawHttpConnection.ConnectAsync(server);
            await connection.SendGetAsync("/ping");
            await connection.ReadResponseAsync();
            return connection;
        }));
        open.AddRange(batch);
    }

    return open;
}
