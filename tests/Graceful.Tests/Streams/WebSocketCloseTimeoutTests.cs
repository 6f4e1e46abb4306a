using System.Net.WebSockets;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Streams;

/// <summary>
/// A WebSocket client that never answers the server's 1001 close does not hold the drain: the socket is aborted at
/// <see cref="GracefulWebSocket.CloseTimeout"/>, its handler ends, and the drain completes long before its own timeout.
/// </summary>
public class WebSocketCloseTimeoutTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AClientThatNeverAnswersTheClose_IsAbortedAtTheCloseTimeout_AndTheDrainCompletes()
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.UseWebSockets();
                a.Map("/ws", EchoAsync);
            },
            o =>
            {
                o.IdleGrace = TimeSpan.FromMinutes(10);
                o.DrainReadHeaderTimeout = TimeSpan.FromMinutes(10);
                o.DrainTimeout = TimeSpan.FromMinutes(10);
            });
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://{app.BaseAddress.Authority}/ws"), TestContext.Current.CancellationToken);
        await client.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        await client.ReceiveAsync(new byte[64], TestContext.Current.CancellationToken);

        var drain = app.Shutdown.ShutdownAsync(TestContext.Current.CancellationToken);
        var closing = await client.ReceiveAsync(new byte[64], TestContext.Current.CancellationToken);
        // Not answered: the client keeps the socket open and says nothing.
        var result = await drain.WaitAsync(Generous, TestContext.Current.CancellationToken);

        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
        Assert.True(result.Completed);
        Assert.Empty(result.Cut);
    }

    [Fact]
    public async Task ANegativeCloseTimeout_IsRefusedWhenSet_NamingTheProperty()
    {
        using var stream = new MemoryStream();
        using var accepted = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
        await using var socket = new GracefulWebSocket(accepted, new NeverDraining());

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => socket.CloseTimeout = TimeSpan.FromSeconds(-1));
        Assert.Contains("GracefulWebSocket.CloseTimeout", error.Message, StringComparison.Ordinal);
        socket.CloseTimeout = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, socket.CloseTimeout);
    }

    private sealed class NeverDraining : IShutdownTokens
    {
        public CancellationToken Draining => CancellationToken.None;

        public CancellationToken SoftDeadline => CancellationToken.None;
    }

    private static async Task EchoAsync(HttpContext context)
    {
        using var accepted = await context.WebSockets.AcceptWebSocketAsync();
        await using var socket = new GracefulWebSocket(accepted, context.RequestServices.GetRequiredService<IShutdownTokens>())
        {
            CloseTimeout = TimeSpan.FromMilliseconds(200),
        };
        var buffer = new byte[64];
        try
        {
            while (await socket.ReceiveAsync(buffer, context.RequestAborted) is { MessageType: not WebSocketMessageType.Close } received)
            {
                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Aborted at the close timeout: the receive ends with the socket.
        }
    }
}
