namespace Graceful.AspNetCore.Requests;

/// <summary>A request the application is handling now, as the drain reports it.</summary>
internal sealed class InFlightRequest(string method, string path, string connectionId, long startedAt)
{
    public string Method { get; } = method;

    public string Path { get; } = path;

    public string ConnectionId { get; } = connectionId;

    public long StartedAt { get; } = startedAt;
}
