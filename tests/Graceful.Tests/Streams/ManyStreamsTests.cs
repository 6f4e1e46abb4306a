using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Streams;

/// <summary>
/// Many WebSockets and event streams open at once, as the drain benchmark holds 10,000 (bench/drain.sh): each ends
/// the orderly way, none is cut, and their connections close at once rather than at the idle grace.
/// </summary>
public class ManyStreamsTests
{
    private const int Each = 200;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryWebSocketGets1001_AndEveryEventStreamEnds_WhenTheDrainStarts()
    {
        // Idle grace and request bound longer than the test's bound: the drain ends in time only if every stream's
        // connection closes once its stream has ended.
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.UseWebSockets();
                a.Map("/ws", EchoAsync);
                a.MapGet("/events", (HttpContext context) => TypedResults.ServerSentEvents(WaitAsync(context.RequestAborted).UntilDraining(context)));
            },
            o =>
            {
                o.IdleGrace = TimeSpan.FromMinutes(10);
                o.DrainReadHeaderTimeout = TimeSpan.FromMinutes(10);
            });
        using var http = app.CreateClient();
        var webSockets = await Task.WhenAll(Enumerable.Range(0, Each).Select(_ => OpenWebSocketAsync(app.BaseAddress)));
        var eventStreams = await Task.WhenAll(Enumerable.Range(0, Each).Select(_ => OpenEventStreamAsync(http)));

        var drain = app.Shutdown.ShutdownAsync();
        var closes = await Task.WhenAll(webSockets.Select(AnswerCloseAsync)).WaitAsync(Generous);
        var ends = await Task.WhenAll(eventStreams.Select(ReadToEndAsync)).WaitAsync(Generous);
        var result = await drain.WaitAsync(Generous);

        Assert.All(closes, status => Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status));
        Assert.All(ends, Assert.True);
        Assert.True(result.Completed);
        Assert.Empty(result.Cut);
    }

    private static async Task EchoAsync(HttpContext context)
    {
        using var accepted = await context.WebSockets.AcceptWebSocketAsync();
        await using var socket = new GracefulWebSocket(accepted, context.RequestServices.GetRequiredService<IShutdownTokens>());
        var buffer = new byte[64];
        while (await socket.ReceiveAsync(buffer, context.RequestAborted) is { MessageType: not WebSocketMessageType.Close } received)
        {
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
        }
    }

    // One event, then nothing until the drain (or the request's end) cancels it.
    private static async IAsyncEnumerable<string> WaitAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return "open";
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    // Returns once the server's handler is in its receive loop (it has echoed a message).
    private static async Task<ClientWebSocket> OpenWebSocketAsync(Uri server)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{server.Authority}/ws"), CancellationToken.None);
        await socket.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        await socket.ReceiveAsync(new byte[64], CancellationToken.None);
        return socket;
    }

    // Answers the server's close as a browser does; the status the server closed with.
    private static async Task<WebSocketCloseStatus?> AnswerCloseAsync(ClientWebSocket socket)
    {
        using (socket)
        {
            var received = await socket.ReceiveAsync(new byte[64], CancellationToken.None);
            Assert.Equal(WebSocketMessageType.Close, received.MessageType);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return socket.CloseStatus;
        }
    }

    // Returns once the first event has arrived: the handler is running.
    private static async Task<Stream> OpenEventStreamAsync(HttpClient http)
    {
        var response = await http.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        Assert.True(await body.ReadAsync(new byte[256]) > 0);
        return body;
    }

    // True when the chunked body ended properly; HttpClient throws if the connection ended without its last chunk.
    private static async Task<bool> ReadToEndAsync(Stream body)
    {
        await using (body)
        {
            var buffer = new byte[256];
            while (await body.ReadAsync(buffer) > 0)
            {
            }

            return true;
        }
    }
}
