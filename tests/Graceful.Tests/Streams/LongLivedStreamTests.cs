using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Graceful.Tests.Streams;

/// <summary>Streams that would otherwise hold the drain until the deadline end cleanly when it starts.</summary>
public class LongLivedStreamTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WebSocketClient_ReceivesClose1001_WhenTheServiceDrains()
    {
        using var report = new ReportFile();
        await using var service = await SlowService.StartAsync("--report", report.Path);
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://{service.BaseAddress.Authority}/ws"), CancellationToken.None);
        await client.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var echo = await client.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, echo.Count));

        service.Signal(Signals.SIGTERM);
        using var timeout = new CancellationTokenSource(Generous);
        var closing = await client.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus); // 1001, Going Away
        Assert.Equal("Server shutting down", client.CloseStatusDescription);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        var totals = report.Read().Totals;
        Assert.Equal((1, 0), (totals.Completed, totals.Aborted));
    }

    [Fact]
    public async Task ServerSentEventsClient_SeesItsStreamEnd_WhenTheServiceDrains()
    {
        using var report = new ReportFile();
        await using var service = await SlowService.StartAsync("--report", report.Path);
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
        using var response = await client.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var lines = new List<string>();
        while (!lines.Contains("data: 1"))
        {
            lines.Add(await reader.ReadLineAsync() ?? throw new EndOfStreamException("the stream ended before its first event"));
        }

        service.Signal(Signals.SIGTERM);
        using var timeout = new CancellationTokenSource(Generous);
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
        }

        // ReadLine returned null: the chunked response ended properly rather than being cut.
        Assert.Contains("event: tick", lines);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        var totals = report.Read().Totals;
        Assert.Equal((1, 0), (totals.Completed, totals.Aborted));
    }

    [Fact]
    public async Task EventStreamEndedByTheDrain_EndsWithItsLastChunk_ThenItsConnectionCloses_WithoutWaitingOutTheIdleGrace()
    {
        var held = new HeldRequest();
        // An idle grace and a request bound longer than the test's bound: only the close after the stream's end lets
        // the drain finish in time.
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/events", (HttpContext context) => TypedResults.ServerSentEvents(TicksAsync(held, context.RequestAborted).UntilDraining(context))),
            o =>
            {
                o.IdleGrace = TimeSpan.FromMinutes(10);
                o.DrainReadHeaderTimeout = TimeSpan.FromMinutes(10);
            });
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress);
        await connection.SendGetAsync("/events");
        var response = connection.ReadResponseAsync();
        await held.WaitUntilStartedAsync(Generous);

        var drain = await app.Shutdown.ShutdownAsync().WaitAsync(Generous);

        // ReadResponseAsync parsed the chunked body to its terminating chunk: the stream ended, it was not cut.
        var events = await response.WaitAsync(Generous);
        Assert.Equal(200, events.StatusCode);
        Assert.Contains("data: 1", events.Body);
        Assert.True(await connection.IsClosedByServerAsync(Generous), "the connection closes after the stream's end");
        Assert.True(drain.Completed);
    }

    [Fact]
    public async Task Http2Client_SeesGoAway_AndItsOpenStreamStillCompletes()
    {
        var held = new HeldRequest();
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/slow", held.Handler),
            configureBuilder: b => b.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2)));
        using var connection = await Http2RawConnection.ConnectAsync(app.BaseAddress);
        await connection.SendGetAsync(1, "/slow");
        await held.WaitUntilStartedAsync(Generous);
        using var timeout = new CancellationTokenSource(Generous);

        var shutdown = app.Shutdown.ShutdownAsync();
        Http2Frame frame;
        do
        {
            frame = await connection.ReadFrameAsync(timeout.Token);
        }
        while (frame.Type != Http2Frame.GoAway);
        Assert.Equal(0u, frame.ErrorCode);
        Assert.True(frame.LastStreamId >= 1, "the open stream is within GOAWAY's last stream id");
        Assert.False(shutdown.IsCompleted, "the drain waits for the open stream");

        held.Release();
        var responseHeaders = false;
        do
        {
            frame = await connection.ReadFrameAsync(timeout.Token);
            if (frame.Type == Http2Frame.Headers && frame.StreamId == 1)
            {
                Assert.Equal(0x88, frame.Payload[0]); // HPACK static entry 8, ":status: 200"
                responseHeaders = true;
            }
        }
        while (!(frame.StreamId == 1 && frame.IsEndStream));

        Assert.True(responseHeaders);
        Assert.True((await shutdown.WaitAsync(Generous)).Completed);
    }

    // One event, then nothing until the request ends: the drain, not the source, ends the stream.
    private static async IAsyncEnumerable<string> TicksAsync(HeldRequest held, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return "1";
        held.MarkStarted();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield return "never";
    }
}
