namespace Graceful.AspNetCore.Transport.Requests;

/// <summary>
/// The requests a shutdown concerns: those in flight when it began and those arriving after it. Empty and idle until
/// <see cref="Begin"/>; the shutdown report reads it at the exit.
/// </summary>
internal sealed class RequestJournal
{
    private readonly HashSet<InFlightRequest> _requests = new(ReferenceEqualityComparer.Instance);
    private volatile bool _recording;

    /// <summary>True once a shutdown has begun; checked per request before taking the lock.</summary>
    public bool IsRecording => _recording;

    public void Begin(IEnumerable<InFlightRequest> inFlight)
    {
        lock (_requests)
        {
            _requests.UnionWith(inFlight);
            _recording = true;
        }
    }

    public void Add(InFlightRequest request)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }
    }

    /// <summary>The recorded requests, oldest first.</summary>
    public List<InFlightRequest> Snapshot()
    {
        lock (_requests)
        {
            return [.. _requests.OrderBy(r => r.StartedAt)];
        }
    }
}
