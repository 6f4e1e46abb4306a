using System.Collections.Concurrent;
using Graceful.AspNetCore.Requests;
using Microsoft.AspNetCore.Connections;

namespace Graceful.AspNetCore.Connections;

/// <summary>
/// Owns the set of open connections. Completion is event-driven: the last connection to close completes
/// <see cref="WhenAllClosedAsync"/>; nothing polls.
/// </summary>
internal sealed class ConnectionTracker(TimeProvider time)
{
    private readonly ConcurrentDictionary<TrackedConnection, byte> _open = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource? _allClosed;
    private volatile bool _closing;

    public int OpenCount => _open.Count;

    public ConnectionContext Track(ConnectionContext inner)
    {
        var connection = new TrackedConnection(inner, this, time.GetTimestamp());
        _open.TryAdd(connection, 0);
        // A connection accepted just before the listeners closed must not slip past the drain's close request.
        if (_closing)
        {
            connection.RequestClose();
        }

        return connection;
    }

    public void Remove(TrackedConnection connection)
    {
        _open.TryRemove(connection, out _);
        if (_open.IsEmpty)
        {
            lock (_gate)
            {
                if (_open.IsEmpty)
                {
                    _allClosed?.TrySetResult();
                }
            }
        }
    }

    public IReadOnlyList<TrackedConnection> Snapshot() => [.. _open.Keys];

    public (int Connections, int Requests) Count()
    {
        var connections = 0;
        var requests = 0;
        foreach (var connection in _open.Keys)
        {
            connections++;
            requests += connection.InFlightCount;
        }

        return (connections, requests);
    }

    public List<InFlightRequest> InFlightRequests()
    {
        var requests = new List<InFlightRequest>();
        foreach (var connection in _open.Keys)
        {
            connection.CopyRequestsTo(requests);
        }

        return requests;
    }

    /// <summary>From now on every connection, open or yet to be tracked, is asked to close.</summary>
    public int RequestCloseAll()
    {
        _closing = true;
        var idle = 0;
        foreach (var connection in _open.Keys)
        {
            if (connection.InFlightCount == 0)
            {
                idle++;
            }

            connection.RequestClose();
        }

        return idle;
    }

    public void AbortAll(string reason)
    {
        foreach (var connection in _open.Keys)
        {
            connection.Abort(new ConnectionAbortedException(reason));
        }
    }

    public Task WhenAllClosedAsync()
    {
        lock (_gate)
        {
            if (_open.IsEmpty)
            {
                return Task.CompletedTask;
            }

            _allClosed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _allClosed.Task;
        }
    }
}
