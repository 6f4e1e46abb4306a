using System.Net;
using Graceful.AspNetCore.Platform.Signals;
using Graceful.AspNetCore.Transport.Connections;
using Microsoft.AspNetCore.Connections;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// A transport listener Graceful can close ahead of Kestrel's own stop. Every accepted connection is tracked
/// before Kestrel sees it. Unbinding twice (Graceful's drain, then Kestrel's stop) closes the socket once.
/// </summary>
internal sealed class DrainableListener(IConnectionListener inner, ConnectionTracker tracker, StartupSignal startup) : IConnectionListener
{
    private readonly Lock _gate = new();
    private Task? _unbind;

    public EndPoint EndPoint => inner.EndPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var connection = await inner.AcceptAsync(cancellationToken);
            if (connection is null || !startup.StoppingBeforeServing)
            {
                return connection is null ? null : tracker.Track(connection);
            }

            // A signal arrived during start-up: the application stops before serving anything; the client sees a
            // closed connection, as if the port had not been open yet.
            connection.Abort();
            await connection.DisposeAsync();
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        Task unbind;
        lock (_gate)
        {
            unbind = _unbind ??= inner.UnbindAsync(CancellationToken.None).AsTask();
        }

        return new ValueTask(unbind.WaitAsync(cancellationToken));
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
