using Graceful.AspNetCore.Transport.ListenSockets;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>The listeners Kestrel bound through Graceful, so the drain can stop accepting on all of them.</summary>
internal sealed class ListenerRegistry(ListenSocketBroker sockets, TimeProvider time)
{
    private readonly List<DrainableListener> _listeners = [];

    public void Add(DrainableListener listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    /// <summary>
    /// Stops accepting: lets Kestrel take the connections waiting in the accept queues (<see cref="AcceptBacklog"/>),
    /// closes every listening socket and removes the Unix sockets' files. After an upgrade's hand-over
    /// (<paramref name="handedOver"/>) the successor accepts from the same sockets, so what is queued and the files are
    /// its own. Connections already accepted are not touched. Returns the endpoints closed.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAcceptingAsync(bool handedOver)
    {
        if (!handedOver)
        {
            await AcceptBacklog.WaitUntilAcceptedAsync(sockets.OpenSockets(), time);
        }

        DrainableListener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        // Plain loops and arrays: this runs once, at the stop, where each LINQ or collection-expression instantiation
        // would be compiled on first use.
        var unbinding = new Task[listeners.Length];
        var endpoints = new string[listeners.Length];
        for (var i = 0; i < listeners.Length; i++)
        {
            unbinding[i] = listeners[i].UnbindAsync().AsTask();
            endpoints[i] = listeners[i].EndPoint.ToString() ?? "?";
        }

        await Task.WhenAll(unbinding);
        if (!handedOver)
        {
            sockets.RemoveUnixSocketFiles();
        }

        return endpoints;
    }
}
