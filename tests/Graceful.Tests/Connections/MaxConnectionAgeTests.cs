using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Graceful.AspNetCore;
using Graceful.AspNetCore.Transport.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Connections;

/// <summary>
/// <see cref="GracefulOptions.MaxConnectionAge"/> on a real Kestrel with real clients: keep-alive clients reconnect after
/// the age, and none of their requests is lost, on raw HTTP/1.1 sockets (which count every request a close swallows),
/// HttpClient over HTTP/1.1 and h2c, and raw HTTP/2 frames.
/// </summary>
public class MaxConnectionAgeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Age = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    // The clients below never pause for long, but this machine can stall one for a second: a client stalled for longer
    // than the grace may rightly find its connection closed (see Measure_ClientsPausingAcrossTheGrace).
    private static readonly TimeSpan IdleGrace = TimeSpan.FromSeconds(5);

    // Back to back (the tightest race with the close), and paced within the idle grace: the clients a retiring connection
    // waits for.
    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public async Task KeepAliveClients_OnRawSockets_ReconnectAfterTheAge_AndLoseNoRequest(int pauseUpToMs)
    {
        const int clients = 16;
        var connections = new ConcurrentDictionary<string, byte>();
        await using var app = await StartAsync(connections, HttpProtocols.Http1);

        var result = await KeepAliveLoad.RunAsync(app.BaseAddress, clients, "/conn", Load,
            pauseUpTo: TimeSpan.FromMilliseconds(pauseUpToMs), cancellationToken: TestContext.Current.CancellationToken);

        output.WriteLine($"{result}, {connections.Count} connections, {Retired(app)} retired");
        Assert.True(result.Ok > clients * 4, $"the load ran: {result}");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.NonSuccess);
        // 4 s at 500 ms ± 50 ms is about 8 connections a client; a loaded machine serves fewer requests, not fewer ages.
        Assert.True(connections.Count >= clients * 3, $"{connections.Count} connections for {clients} clients");
    }

    // Measured, not asserted (docs/benchmarks.md, "Maximum connection age"): clients whose pauses straddle the idle grace
    // (0-1 s against 300 ms), checking for a FIN before each send as HttpClient does. A retiring connection idle for the
    // grace is closed; a client whose pause ends within the moment it takes that close to reach it loses its request,
    // the race every server-side idle close has (Kestrel's keep-alive timeout included). Run by bench/connection-age.sh.
    [Fact(Explicit = true)]
    public async Task Measure_ClientsPausingAcrossTheGrace()
    {
        const int clients = 8;
        await using var app = await StartAsync(new(), HttpProtocols.Http1, o => o.IdleGrace = TimeSpan.FromMilliseconds(300));
        int ok = 0, lost = 0, foundClosed = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress, TestContext.Current.CancellationToken);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(Random.Shared.Next(0, 1_000), CancellationToken.None);
                    if (connection.ClosedWhileIdle)
                    {
                        Interlocked.Increment(ref foundClosed);
                        connection.Dispose();
                        connection = await RawHttpConnection.ConnectAsync(app.BaseAddress, TestContext.Current.CancellationToken);
                    }

                    try
                    {
                        await connection.SendGetAsync("/conn");
                        var response = await connection.ReadResponseAsync(TestContext.Current.CancellationToken);
                        Interlocked.Increment(ref ok);
                        if (response.ConnectionClose)
                        {
                            connection.Dispose();
                            connection = await RawHttpConnection.ConnectAsync(app.BaseAddress, TestContext.Current.CancellationToken);
                        }
                    }
                    catch (Exception e) when (e is IOException or EndOfStreamException or System.Net.Sockets.SocketException)
                    {
                        Interlocked.Increment(ref lost);
                        connection.Dispose();
                        connection = await RawHttpConnection.ConnectAsync(app.BaseAddress, TestContext.Current.CancellationToken);
                    }
                }
            }
            finally
            {
                connection.Dispose();
            }
        }));

        output.WriteLine($"{clients} raw clients, pauses 0-1 s, IdleGrace 300ms, age {Age.TotalMilliseconds:0} ms, 20 s: {ok} ok, " +
            $"{foundClosed} connections found closed while idle before a send, {lost} requests lost; load {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    // Kestrel never serves another request on an upgraded connection: retiring leaves it alone, and the grace does not
    // cut it. 1 ms: the connection is retiring before its handshake, whose 101 must not ask for the close (and no grace:
    // a handshake still running at the grace would rightly be cut). 1 s: upgraded long before its age, then past the
    // grace.
    [Theory]
    [InlineData(1, -1)]
    [InlineData(1_000, 300)]
    public async Task AWebSocket_OutlivesTheAgeAndTheGrace(int ageMs, int graceMs)
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.UseWebSockets();
                a.Map("/echo", async (HttpContext context) =>
                {
                    using var socket = await context.WebSockets.AcceptWebSocketAsync();
                    var buffer = new byte[16];
                    while (true)
                    {
                        var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                        if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                        {
                            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                            return;
                        }

                        await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, true, context.RequestAborted);
                    }
                });
            },
            o =>
            {
                o.MaxConnectionAge = TimeSpan.FromMilliseconds(ageMs);
                o.MaxConnectionAgeJitter = TimeSpan.Zero;
                o.MaxConnectionAgeGrace = TimeSpan.FromMilliseconds(graceMs);
                o.IdleGrace = TimeSpan.FromMilliseconds(100);
            });
        using var client = new System.Net.WebSockets.ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://{app.BaseAddress.Authority}/echo"), TestContext.Current.CancellationToken);
        var aging = app.App.Services.GetRequiredService<ConnectionTracker>().Aging!;

        // Past the age and the grace, by the server's own count: it has looked at the connection and left it.
        while (aging.RetiredCount == 0)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var echo = new byte[16];
        await client.SendAsync("ping"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        var received = await client.ReceiveAsync(echo, TestContext.Current.CancellationToken);

        Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(echo, 0, received.Count));
        Assert.Equal(0, aging.CutCount);
        await client.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AnIdleConnection_ClosesWithAFin_OnceOlderThanItsAge()
    {
        await using var app = await StartAsync(new(), HttpProtocols.Http1, o => o.IdleGrace = TimeSpan.FromMilliseconds(100));
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress, TestContext.Current.CancellationToken);
        var opened = Stopwatch.StartNew();
        await connection.SendGetAsync("/conn");
        var response = await connection.ReadResponseAsync(TestContext.Current.CancellationToken);

        var close = await connection.ServerCloseAsync(Generous);

        Assert.False(response.ConnectionClose);
        Assert.Equal(ServerClose.Fin, close);
        // Not before its age, less the jitter (10 %).
        Assert.True(opened.Elapsed >= Age * 0.9 - TimeSpan.FromMilliseconds(20), $"closed after {opened.Elapsed}");
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task HttpClients_ReconnectAfterTheAge_NoRequestFails(string version)
    {
        const int clients = 8;
        var http2 = version == "2.0";
        var connections = new ConcurrentDictionary<string, byte>();
        await using var app = await StartAsync(connections, http2 ? HttpProtocols.Http2 : HttpProtocols.Http1);
        var failures = new ConcurrentQueue<string>();
        var ok = 0;
        using var stop = new CancellationTokenSource(Load);

        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            // One connection per client: each re-connection is the age at work.
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
            using var client = new HttpClient(handler)
            {
                BaseAddress = app.BaseAddress,
                DefaultRequestVersion = Version.Parse(version),
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.PostAsync("/conn", new StringContent("x"), CancellationToken.None);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref ok);
                    }
                    else
                    {
                        failures.Enqueue(response.StatusCode.ToString());
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue($"{e.Message} {e.InnerException?.Message} {e.InnerException?.InnerException?.Message}");
                }

                await Task.Delay(Random.Shared.Next(0, 50), CancellationToken.None);
            }
        }));

        output.WriteLine($"HTTP/{version}: {ok} ok, {failures.Count} failed, {connections.Count} connections, {Retired(app)} retired");
        foreach (var failure in failures.Distinct())
        {
            output.WriteLine("  " + failure);
        }

        Assert.Empty(failures);
        Assert.True(ok > clients * 4, $"the load ran: {ok}");
        Assert.True(connections.Count >= clients * 3, $"{connections.Count} connections for {clients} clients");
    }

    // With Http2GoAwayGrace, a retiring connection's GOAWAY takes both steps, as in the drain: streams the client opened
    // while the first was on its way are served, none is left unprocessed.
    [Fact]
    public async Task Http2StreamsInFlight_AtTheAge_GetBothGoAways_NoneLostOrUnprocessed()
    {
        const int clients = 4;
        await using var app = await StartAsync(new(), HttpProtocols.Http2, o => o.Http2GoAwayGrace = TimeSpan.FromMilliseconds(100));
        using var timeout = new CancellationTokenSource(Generous);
        var runs = new Task[clients];
        var pumps = Enumerable.Range(0, clients)
            .Select(i => Http2StreamPump.Start(app.BaseAddress, "/conn", inFlight: 8, warmAfter: 10, timeout.Token, out runs[i]))
            .ToList();

        // Each pump runs until the server closes its connection: the age is what closes it.
        await Task.WhenAll(runs).WaitAsync(Generous, TestContext.Current.CancellationToken);

        output.WriteLine(string.Join("; ", pumps.Select(p => $"{p.Completed} completed, {p.Unprocessed} unprocessed, GOAWAYs {string.Join(",", p.GoAways)}")));
        Assert.All(pumps, p => Assert.True(p.TwoStep, $"GOAWAYs {string.Join(", ", p.GoAways)}: not the two-step form"));
        Assert.All(pumps, p => Assert.True(p.Completed > 0));
        Assert.Equal(0, pumps.Sum(p => p.Lost));
        Assert.Equal(0, pumps.Sum(p => p.Unprocessed));
    }

    // The measurement in docs/benchmarks.md ("Maximum connection age"): bench/connection-age.sh runs it.
    [Fact(Explicit = true)]
    public async Task Measure_KeepAliveClients_OverSeveralAges()
    {
        const int clients = 64;
        var duration = TimeSpan.FromSeconds(8);
        output.WriteLine($"{clients} raw HTTP/1.1 keep-alive clients, {duration.TotalSeconds:0} s each, pauses 0-50 ms; load {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine("| MaxConnectionAge | requests ok | lost | non-2xx | connections opened | retired for age | per client |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var age in new TimeSpan?[] { null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250) })
        {
            var connections = new ConcurrentDictionary<string, byte>();
            await using var app = await TestApp.StartAsync(
                a => a.Map("/conn", (HttpContext context) =>
                {
                    connections.TryAdd(context.Connection.Id, 0);
                    return "ok";
                }),
                o => o.MaxConnectionAge = age);
            var result = await KeepAliveLoad.RunAsync(app.BaseAddress, clients, "/conn", duration, pauseUpTo: TimeSpan.FromMilliseconds(50),
                cancellationToken: TestContext.Current.CancellationToken);
            var retired = app.App.Services.GetRequiredService<ConnectionTracker>().Aging?.RetiredCount ?? 0;
            output.WriteLine($"| {(age is { } a ? $"{a.TotalMilliseconds:0} ms" : "unset")} | {result.Ok:N0} | {result.Lost} | {result.NonSuccess} | {connections.Count} | {retired} | {connections.Count / (double)clients:0.0} |");
        }
    }

    private static Task<TestApp> StartAsync(ConcurrentDictionary<string, byte> connections, HttpProtocols protocols,
        Action<GracefulOptions>? configure = null) =>
        TestApp.StartAsync(
            a => a.Map("/conn", (HttpContext context) =>
            {
                connections.TryAdd(context.Connection.Id, 0);
                return "ok";
            }),
            o =>
            {
                o.MaxConnectionAge = Age;
                o.IdleGrace = IdleGrace;
                configure?.Invoke(o);
            },
            b => b.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = protocols)));

    private static int Retired(TestApp app) => app.App.Services.GetRequiredService<ConnectionTracker>().Aging!.RetiredCount;
}
