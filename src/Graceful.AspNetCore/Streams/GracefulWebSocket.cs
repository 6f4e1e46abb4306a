using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore.Streams;
using Graceful.AspNetCore.Transport.Requests;

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
    private const string ShuttingDown = "Server shutting down";
    // The longest a timer takes (System.Threading.Timer's bound).
    private const double MaxTimerMilliseconds = uint.MaxValue - 1;

    private readonly WebSocket _socket;
    // Never disposed: without its wait handle (never asked for) there is nothing to free, and the close may release it
    // after the handler has disposed this (the client's answer can arrive before the closing thread runs again).
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly PacedCloses? _paced;
    private readonly CancellationTokenRegistration _onDraining;
    // Armed once Graceful's close is out; made only then, since most sockets never see a drain.
    private ITimer? _closeTimeout;
    private TimeSpan _closeTimeoutAfter = TimeSpan.FromSeconds(5);
    private int _closeSent;
    private int _disposed;

    /// <summary>Wraps <paramref name="socket"/>; it is closed with 1001 when <see cref="IShutdownTokens.Draining"/> fires.</summary>
    public GracefulWebSocket(WebSocket socket, IShutdownTokens shutdown)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(shutdown);
        _socket = socket;
        // Graceful's own tokens pace the drain's closes (PacedCloses); with any other, the callback closes.
        _paced = (shutdown as ShutdownTokens)?.WebSocketCloses;
        _onDraining = shutdown.Draining.Register(OnDraining, this);
    }

    /// <summary>
    /// How long the client has to answer the server's close before the socket is aborted. Default 5 s; zero or more, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> (never aborted).
    /// </summary>
    public TimeSpan CloseTimeout
    {
        get => _closeTimeoutAfter;
        // Checked here, not when the drain arms it: there, on a thread-pool thread, a bad value could only crash.
        set => _closeTimeoutAfter = value == Timeout.InfiniteTimeSpan || (value >= TimeSpan.Zero && value.TotalMilliseconds <= MaxTimerMilliseconds)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "GracefulWebSocket.CloseTimeout must be zero or more (at most 49 days), or Timeout.InfiniteTimeSpan.");
    }

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

    // The drain's path (this, CloseForShutdown, StartClose, OnCloseSent, DisposeAsync and PacedCloses) runs once for
    // each socket, thousands of times within a second, once in the process's life: compiled optimized from the start
    // (by the warm-up, before the signal) rather than tiered, since tier-0 code that turns hot mid-drain is compiled
    // twice more (instrumented, then optimized) while the drain runs, for a few calls left (docs/benchmarks.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OnDraining(object? state)
    {
        var socket = (GracefulWebSocket)state!;
        if (socket._paced is { } paced)
        {
            paced.Enqueue(socket);
        }
        else
        {
            socket.CloseForShutdown();
        }
    }

    // Runs once for each socket, thousands in a row (PacedCloses), so the usual case allocates nothing beyond the close
    // itself: no send in progress, and the close frame written at once. Otherwise it waits for the send in progress.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void CloseForShutdown()
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0 || _socket.State != WebSocketState.Open)
        {
            return;
        }

        if (!_sending.Wait(0))
        {
            _ = CloseAfterSendAsync();
            return;
        }

        var closing = StartClose();
        if (closing.IsCompleted)
        {
            _sending.Release();
            OnCloseSent(closing);
        }
        else
        {
            _ = AwaitCloseAsync(closing);
        }
    }

    private async Task CloseAfterSendAsync()
    {
        await _sending.WaitAsync();
        await AwaitCloseAsync(StartClose());
    }

    // Called holding the semaphore; a close that throws at once is a faulted task like any other failed close.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Task StartClose()
    {
        try
        {
            return _socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, ShuttingDown, CancellationToken.None);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    // The close frame is being written; the semaphore is held until it is.
    private async Task AwaitCloseAsync(Task closing)
    {
        try
        {
            await closing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            _sending.Release();
        }

        OnCloseSent(closing);
    }

    // The receive loop ends when the client's close arrives; a client that never answers is cut at CloseTimeout. A
    // close that failed leaves nothing to wait for: the socket is aborted, which ends its receive loop.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnCloseSent(Task closing)
    {
        if (!closing.IsCompletedSuccessfully)
        {
            _ = closing.Exception;
            _socket.Abort();
            return;
        }

        var timer = TimeProvider.System.CreateTimer(static state => ((WebSocket)state!).Abort(), _socket, _closeTimeoutAfter, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _closeTimeout, timer);
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Disposed while the close was written: the handler is done, so nothing is left to cut.
            timer.Dispose();
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ValueTask DisposeAsync()
    {
        // At once unless the drain's callback is running right now: then after it, so a close timer it arms is disposed.
        var unregistering = _onDraining.DisposeAsync();
        if (!unregistering.IsCompletedSuccessfully)
        {
            return DisposeAfterAsync(unregistering);
        }

        unregistering.GetAwaiter().GetResult();
        EndCloseTimeout();
        return default;
    }

    private async ValueTask DisposeAfterAsync(ValueTask unregistering)
    {
        await unregistering;
        EndCloseTimeout();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EndCloseTimeout()
    {
        // Full fences on both sides (see OnCloseSent): a timer armed meanwhile is disposed by one or the other.
        Interlocked.Exchange(ref _disposed, 1);
        Interlocked.Exchange(ref _closeTimeout, null)?.Dispose();
    }
}
