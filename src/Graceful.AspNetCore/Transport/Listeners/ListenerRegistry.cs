using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Transport.ListenSockets;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>The listeners Kestrel bound through Graceful, so the drain can stop accepting on all of them.</summary>
internal sealed partial class ListenerRegistry(ListenSocketBroker sockets, TimeProvider time, ILogger<ListenerRegistry> logger)
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
    /// Stops accepting: lets Kestrel take the connections waiting in the accept queues and, on Linux, those whose
    /// handshake the kernel holds (<see cref="AcceptBacklog"/>), within <paramref name="bound"/> (the time left before the
    /// drain deadline) and until <paramref name="cut"/>; closes every listening socket and removes the Unix sockets'
    /// files. After an upgrade's hand-over (<paramref name="handedOver"/>) the successor accepts from the same sockets,
    /// so what is queued and the files are its own. Connections already accepted are not touched. Returns the endpoints closed.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAcceptingAsync(bool handedOver, TimeSpan bound, CancellationToken cut)
    {
        if (!handedOver)
        {
            var open = sockets.OpenSockets();
            var backlog = await AcceptBacklog.WaitUntilAcceptedAsync(open, sockets.ExclusiveTcpSockets(open), bound, time, cut);
            if (backlog is { Filtered: true, TimedOut: true, HandshakesLeft: > 0 })
            {
                LogHandshakesLeft(logger, backlog.HandshakesLeft, new LoggedDuration(backlog.Waited));
            }
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
            unbinding[i] = listeners[i].UnbindAsync(CancellationToken.None).AsTask();
            endpoints[i] = listeners[i].EndPoint.ToString() ?? "?";
        }

        await Task.WhenAll(unbinding);
        if (!handedOver)
        {
            sockets.RemoveUnixSocketFiles();
        }

        return endpoints;
    }

    [LoggerMessage(EventId = 120, EventName = "HandshakesLeftAtListenerClose", Level = LogLevel.Warning,
        Message = "Closed the listeners with {Count} handshakes still under way after {Waited}: their clients are reset")]
    private static partial void LogHandshakesLeft(ILogger logger, int count, LoggedDuration waited);
}
