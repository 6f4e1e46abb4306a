using System.Globalization;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// Idle HTTP/1.1 connections the drain closes end at their socket: the client gets a FIN, never a reset, the server's
/// socket is closed in place at once (its descriptor left pointing at /dev/null), and the transport that holds the
/// descriptor is released only once the server has stopped, without Kestrel's per-connection transport teardown.
/// </summary>
public class IdleConnectionEndTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task IdleConnections_EachGetAFin_TheirSocketsCloseInPlace_AndTheirTransportsAreReleasedOnceTheServerHasStopped()
    {
        var hookRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseHook = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/ping", () => "pong"),
            o => o.IdleGrace = TimeSpan.FromMilliseconds(100),
            b => b.Services.AddShutdownHook("hold", async _ =>
            {
                hookRunning.SetResult();
                await releaseHook.Task;
            }));
        var clients = await OpenUsedConnectionsAsync(app, 20);
        var port = app.BaseAddress.Port;
        var descriptors = ServerDescriptors(port, clients);
        // Idle for longer than the grace and than SocketEnd.MinIdle: the drain closes every one at once.
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);

        var result = await app.Shutdown.ShutdownAsync(TestContext.Current.CancellationToken);
        // The host's stop runs the hooks (held here), then stops Kestrel and the other hosted services.
        var stopped = app.App.StopAsync(TestContext.Current.CancellationToken);
        await hookRunning.Task.WaitAsync(Generous, TestContext.Current.CancellationToken);

        Assert.True(result.Completed);
        Assert.Equal(20, result.IdleConnectionsClosed);
        foreach (var client in clients)
        {
            Assert.Equal(ServerClose.Fin, await client.ServerCloseAsync(Generous));
        }

        // The drain is over and the hooks run: each socket is closed, yet its descriptor is still held, now on /dev/null:
        // they ended at the socket. Kestrel's own teardown would have released the descriptors.
        var open = ClientPortsWithServerSocketOpen(port);
        Assert.All(clients, c => Assert.False(open.Contains(c.LocalEndPoint.Port), $"server socket for client port {c.LocalEndPoint.Port}"));
        Assert.All(descriptors, d => Assert.Equal("/dev/null", Target(d)));

        releaseHook.SetResult();
        await stopped.WaitAsync(Generous, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => descriptors.All(d => Target(d) != "/dev/null"), Generous);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task ARequestSentAsTheDrainStarts_IsAnswered_AndConnectionsKeptForTheGraceEndWithAFin()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/ping", () => "pong"), o => o.IdleGrace = TimeSpan.FromSeconds(1));
        using var longIdle = (await OpenUsedConnectionsAsync(app, 1))[0];
        await Task.Delay(TimeSpan.FromMilliseconds(1500), TestContext.Current.CancellationToken);
        // Used just now, within the grace: kept for their clients' next requests.
        var recent = await OpenUsedConnectionsAsync(app, 2);
        using var asking = recent[0];
        using var silent = recent[1];

        var drain = app.Shutdown.ShutdownAsync(TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => app.Logs.Events("ClosedIdle").Count > 0, Generous);
        await asking.SendGetAsync("/ping");

        var answer = await asking.ReadResponseAsync(TestContext.Current.CancellationToken);
        Assert.Equal((200, "pong", true), (answer.StatusCode, answer.Body, answer.ConnectionClose));
        Assert.Equal(ServerClose.Fin, await asking.ServerCloseAsync(Generous));
        Assert.Equal(ServerClose.Fin, await longIdle.ServerCloseAsync(Generous));
        // Closed when its grace ran out, at its socket too.
        Assert.Equal(ServerClose.Fin, await silent.ServerCloseAsync(Generous));
        Assert.True((await drain.WaitAsync(Generous, TestContext.Current.CancellationToken)).Completed);
    }

    private static async Task<List<RawHttpConnection>> OpenUsedConnectionsAsync(TestApp app, int count)
    {
        var clients = new List<RawHttpConnection>();
        for (var i = 0; i < count; i++)
        {
            var client = await RawHttpConnection.ConnectAsync(app.BaseAddress, TestContext.Current.CancellationToken);
            clients.Add(client);
            await client.SendGetAsync("/ping");
            Assert.Equal(200, (await client.ReadResponseAsync(TestContext.Current.CancellationToken)).StatusCode);
        }

        return clients;
    }

    // The kernel's table of TCP sockets: the server's socket for a client is open while a process holds it (a
    // non-zero inode); once closed it is gone or left to the kernel (inode 0). One read for all the clients: on a shared
    // machine the table holds 100,000 sockets and more, and a read per client outlasted the held hook's timeout.
    private static HashSet<int> ClientPortsWithServerSocketOpen(int serverPort)
    {
        var local = $":{serverPort:X4}";
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[1].EndsWith(local, StringComparison.Ordinal) && long.Parse(f[9], CultureInfo.InvariantCulture) != 0)
            .Select(f => int.Parse(f[2].AsSpan(f[2].LastIndexOf(':') + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))
            .ToHashSet();
    }

    // The descriptors (in this process: the server runs in it) of the server's sockets for these clients, found by the
    // sockets' inodes in the kernel's table of TCP sockets.
    private static List<string> ServerDescriptors(int serverPort, List<RawHttpConnection> clients)
    {
        var local = $":{serverPort:X4}";
        var inodes = File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[1].EndsWith(local, StringComparison.Ordinal))
            .ToDictionary(f => int.Parse(f[2].AsSpan(f[2].LastIndexOf(':') + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), f => f[9]);
        var byTarget = Directory.EnumerateFiles("/proc/self/fd").Select(d => (Descriptor: d, Target: Target(d)))
            .Where(d => d.Target is not null).ToLookup(d => d.Target!, d => d.Descriptor);
        return [.. clients.Select(c => byTarget[$"socket:[{inodes[c.LocalEndPoint.Port]}]"].Single())];
    }

    // What a descriptor refers to now, or null once it is closed.
    private static string? Target(string descriptor)
    {
        try
        {
            return new FileInfo(descriptor).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
