using System.Net.WebSockets;

namespace Graceful.AspNetCore;

/// <summary>
/// A server WebSocket that closes with 1001 (Going Away) when the drain starts. Use it in place of the accepted
/// <see cref="WebSocket"/>: receive until a <see cref="WebSocketMessageType.Close"/> result, send through it. It
/// serializes sends (the close frame never interleaves with a message), answers the client's close, and aborts
/// the socket if the client does not answer Graceful's close within <see cref="CloseTimeout"/>.
/// It does not cancel a pending receive: that would abort the socket instead of closing it.
/// </summary>
public sealed class GracefulWebSocket : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenRegistration _onDraining;
    private readonly CancellationTokenSource _closeTimeout = new();
    private int _closeSent;

    /// <summary>Wraps <paramref name="socket"/>; it is closed with 1001 when <see cref="IShutdownTokens.Draining"/> fires.</summary>
    public GracefulWebSocket(WebSocket socket, IShutdownTokens shutdown)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(shutdown);
        _socket = socket;
        _onDraining = shutdown.Draining.Register(static state => _ = ((GracefulWebSocket)state!).CloseForShutdownAsync(), this);
    }

    /// <summary>How long the client has to answer the server's close before the socket is aborted. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The underlying socket's state.</summary>
    public WebSocketState State => _socket.State;

    /// <summary>Receives the next message fragment. A close from the client is answered before this returns.</summary>
    public async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await _socket.ReceiveAsync(buffer, cancellationToken);
        if (result.MessageType == WebSocketMessageType.Close && Interlocked.Exchange(ref _closeSent, 1) == 0)
        {
            // The client closed first: complete the handshake with its status.
            await SendSerializedAsync(() => _socket.CloseOutputAsync(
                _socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, _socket.CloseStatusDescription, cancellationToken));
        }

        return result;
    }

    /// <summary>Sends a message fragment; fails once the socket is closing.</summary>
    public Task SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, bool endOfMessage, CancellationToken cancellationToken) =>
        SendSerializedAsync(() =>
        {
            if (Volatile.Read(ref _closeSent) != 0)
            {
                throw new WebSocketException(WebSocketError.InvalidState, "The WebSocket is closing: the server is shutting down or the client closed it.");
            }

            return _socket.SendAsync(data, type, endOfMessage, cancellationToken).AsTask();
        });

    private async Task CloseForShutdownAsync()
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0 || _socket.State != WebSocketState.Open)
        {
            return;
        }

        try
        {
            await SendSerializedAsync(() => _socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "Server shutting down", CancellationToken.None));
            // The receive loop ends when the client's close arrives; a client that never answers is cut.
            _closeTimeout.Token.Register(static state => ((WebSocket)state!).Abort(), _socket);
            _closeTimeout.CancelAfter(CloseTimeout);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection is already gone; there is nothing left to close.
        }
    }

    private async Task SendSerializedAsync(Func<Task> send)
    {
        await _sending.WaitAsync();
        try
        {
            await send();
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Stops watching for the drain. Does not close or dispose the underlying socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await _onDraining.DisposeAsync();
        _closeTimeout.Dispose();
        _sending.Dispose();
    }
}
