namespace Graceful.AspNetCore.Transport.Requests;

/// <summary>A request the application is handling, as the drain and the shutdown report see it.</summary>
internal sealed class InFlightRequest(string method, string path, string connectionId, long startedAt)
{
    private long _endedAt;
    private int _aborted;

    public string Method { get; } = method;

    public string Path { get; } = path;

    public string ConnectionId { get; } = connectionId;

    public long StartedAt { get; } = startedAt;

    /// <summary>When the handler returned (a timestamp), or null while it runs.</summary>
    public long? EndedAt => Volatile.Read(ref _endedAt) is var at && at != 0 ? at : null;

    /// <summary>True when the drain deadline aborted its connection.</summary>
    public bool Aborted => Volatile.Read(ref _aborted) != 0;

    public void End(long at) => Volatile.Write(ref _endedAt, at);

    public void MarkAborted() => Volatile.Write(ref _aborted, 1);
}
