using System.Diagnostics;
using Graceful.AspNetCore;
using Graceful.AspNetCore.Transport.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Graceful.Tests.Streams;

/// <summary>
/// The drain of an HTTP/2 connection with Graceful's default options, frame by frame. Kestrel alone sends a connection
/// with no stream open one GOAWAY (the last stream it served) and closes it a millisecond later: a stream its client is
/// opening then is unprocessed, and <c>HttpClient</c> loses a request it had not yet written when that close reaches it
/// right behind the GOAWAY (docs/design.md, "HTTP/2 GOAWAY: the stream lost at the close"). By default Graceful gives
/// every connection its client may be using the two-step GOAWAY, a grace apart.
/// </summary>
public class Http2DefaultDrainTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Default_AConnectionUsedJustBeforeTheDrain_GetsBothGoAways_AndItsNextStreamIsServed()
    {
        // Only the idle grace is not the default: the connection must count as just used however slow the machine.
        await using var app = await StartAsync(o => o.IdleGrace = Generous);
        using var connection = await ConnectionWithOneStreamServedAsync(app);

        // The drain has decided about every connection open at its start; this one served a stream just now.
        var drain = app.Shutdown.ShutdownAsync(TestContext.Current.CancellationToken);
        await WhenLoggedAsync(app, GracefulEvents.ClosedIdle);
        await connection.SendGetAsync(3, "/ping");
        var close = await ReadToTheCloseAsync(connection);

        Assert.True((await drain.WaitAsync(Generous, TestContext.Current.CancellationToken)).Completed);
        AssertBothGoAwaysAGraceApart_AndStream3Served(close);
    }

    // A pre-stop that moves clients away asks each HTTP/2 connection to close from inside its next stream: Kestrel sends
    // the first GOAWAY, and the final one as soon as that stream has ended and a frame wakes its read loop (HttpClient
    // sends a PING after a response's data). The stream's end waits for the grace here too.
    [Fact]
    public async Task Default_APreStopClosingConnections_KeepsTheFirstGoAwayStandingForTheGrace()
    {
        await using var app = await StartAsync(o =>
        {
            o.PreStopDelay = TimeSpan.FromSeconds(2);
            o.PreStopCloseConnections = PreStopConnectionClose.FromStart;
        });
        using var connection = await ConnectionWithOneStreamServedAsync(app);

        var shutdown = app.Shutdown.ShutdownAsync(TestContext.Current.CancellationToken);
        await WhenLoggedAsync(app, GracefulEvents.PreStopDelay);
        await connection.SendGetAsync(3, "/ping");
        var close = await ReadToTheCloseAsync(connection, pingAtFirstGoAway: true);

        Assert.True((await shutdown.WaitAsync(Generous, TestContext.Current.CancellationToken)).Completed);
        AssertBothGoAwaysAGraceApart_AndStream3Served(close);
    }

    [Fact]
    public async Task GraceZero_IsKestrelsOwnClose_OneGoAwayAtDrainStart()
    {
        await using var app = await StartAsync(o => o.Http2GoAwayGrace = TimeSpan.Zero);
        using var connection = await ConnectionWithOneStreamServedAsync(app);

        var drain = app.Shutdown.ShutdownAsync(TestContext.Current.CancellationToken);
        var close = await ReadToTheCloseAsync(connection);

        Assert.True((await drain.WaitAsync(Generous, TestContext.Current.CancellationToken)).Completed);
        Assert.Equal([1], close.GoAways.Select(g => g.LastStreamId));
    }

    private static Task<TestApp> StartAsync(Action<GracefulOptions>? configure) => TestApp.StartAsync(
        a => a.MapGet("/ping", () => "pong"),
        configure,
        b => b.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2)));

    private static async Task<Http2RawConnection> ConnectionWithOneStreamServedAsync(TestApp app)
    {
        var connection = await Http2RawConnection.ConnectAsync(app.BaseAddress);
        await connection.SendGetAsync(1, "/ping");
        await ReadUntilEndOfStreamAsync(connection, 1);
        return connection;
    }

    // The final GOAWAY waits for the grace: the client has long read the first one when it and the close reach it.
    private static void AssertBothGoAwaysAGraceApart_AndStream3Served(Close close)
    {
        Assert.Equal([int.MaxValue, 3], close.GoAways.Select(g => g.LastStreamId));
        Assert.Contains(3, close.Ended);
        Assert.True(close.GoAways[1].At - close.GoAways[0].At >= Http2GoAwayGrace.Default / 2,
            $"the GOAWAYs came {close.GoAways[1].At - close.GoAways[0].At} apart");
    }

    private static async Task WhenLoggedAsync(TestApp app, EventKey key)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Generous);
        while (!app.Logs.Entries.Any(e => e.Category == key.Category && e.EventId.Id == key.Id))
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private static async Task ReadUntilEndOfStreamAsync(Http2RawConnection connection, int streamId)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (await connection.ReadFrameAsync(timeout.Token) is not { IsEndStream: true } frame || frame.StreamId != streamId)
        {
        }
    }

    // Every frame until the server closes the connection: the GOAWAYs (with when they came) and the streams that ended.
    private static async Task<Close> ReadToTheCloseAsync(Http2RawConnection connection, bool pingAtFirstGoAway = false)
    {
        using var timeout = new CancellationTokenSource(Generous);
        var close = new Close([], []);
        var clock = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                var frame = await connection.ReadFrameAsync(timeout.Token);
                if (frame.Type == Http2Frame.GoAway)
                {
                    Assert.Equal(0u, frame.ErrorCode);
                    close.GoAways.Add((frame.LastStreamId, clock.Elapsed));
                    if (pingAtFirstGoAway && close.GoAways.Count == 1)
                    {
                        await connection.SendPingAsync();
                    }
                }
                else if (frame.IsEndStream)
                {
                    close.Ended.Add(frame.StreamId);
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return close;
        }
    }

    private sealed record Close(List<(int LastStreamId, TimeSpan At)> GoAways, List<int> Ended);
}
