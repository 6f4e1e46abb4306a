using System.Net.WebSockets;
using Graceful.AspNetCore;

namespace Graceful.Tests.Streams;

/// <summary>
/// <see cref="GracefulWebSocket.DisposeAsync"/> while the drain's callback is writing the 1001 close: it completes only
/// once the callback has, so the close timer the callback arms is disposed with it and never cuts a socket whose
/// handler is done. (Disposed any other time, it completes at once.)
/// </summary>
public class GracefulWebSocketDisposeTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task DisposedWhileTheDrainsCloseIsBeingWritten_WaitsForIt_AndTheCloseTimeoutNeverCutsTheSocket()
    {
        using var held = new HeldCloseSocket();
        using var draining = new CancellationTokenSource();
        var closeTimeout = TimeSpan.FromMilliseconds(200);
        var socket = new GracefulWebSocket(held, new Tokens(draining.Token)) { CloseTimeout = closeTimeout };

        // Tokens other than Graceful's run the close in the Draining callback itself, here on the cancelling thread.
        var cancelling = Task.Run(draining.Cancel, TestContext.Current.CancellationToken);
        await held.CloseStarted.WaitAsync(Generous, TestContext.Current.CancellationToken);
        var disposing = socket.DisposeAsync().AsTask();
        var doneBeforeTheClose = disposing.IsCompleted;
        held.FinishClose();
        await disposing.WaitAsync(Generous, TestContext.Current.CancellationToken);
        await cancelling.WaitAsync(Generous, TestContext.Current.CancellationToken);
        // Past the close timeout: a timer left armed would have aborted the socket by then.
        await Task.Delay(closeTimeout * 5, TestContext.Current.CancellationToken);

        Assert.False(doneBeforeTheClose);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, held.SentCloseStatus);
        Assert.False(held.Aborted);
    }

    private sealed class Tokens(CancellationToken draining) : IShutdownTokens
    {
        public CancellationToken Draining => draining;

        public CancellationToken SoftDeadline => CancellationToken.None;
    }

    /// <summary>An open WebSocket whose close output blocks its caller until the test lets it finish.</summary>
    private sealed class HeldCloseSocket : WebSocket
    {
        private readonly TaskCompletionSource _closeStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _finishClose = new();
        private volatile bool _aborted;

        public Task CloseStarted => _closeStarted.Task;

        public WebSocketCloseStatus? SentCloseStatus { get; private set; }

        public bool Aborted => _aborted;

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => WebSocketState.Open;

        public override string? SubProtocol => null;

        public void FinishClose() => _finishClose.Set();

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
        {
            SentCloseStatus = closeStatus;
            _closeStarted.SetResult();
            _finishClose.Wait(Generous, cancellationToken);
            return Task.CompletedTask;
        }

        public override void Abort() => _aborted = true;

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public override void Dispose() => _finishClose.Dispose();
    }
}
