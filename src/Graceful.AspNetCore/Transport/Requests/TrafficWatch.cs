using Microsoft.AspNetCore.Http;

namespace Graceful.AspNetCore.Transport.Requests;

/// <summary>
/// Notes the requests that arrive while the pre-stop runs, so an adaptive pre-stop can close the listeners once the
/// load balancer has stopped sending. Health probes and ignored paths do not count: balancers go on probing an
/// instance they no longer route to. Costs one volatile read per request outside the pre-stop.
/// </summary>
internal sealed class TrafficWatch(TimeProvider time)
{
    // Enough to name a balancer or two and the clients behind them, without growing under a flood.
    private const int MaxAddresses = 16;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _connections = [];
    private readonly HashSet<string> _addresses = [];
    private PathString[] _mapped = [];
    private PathString[] _ignored = [];
    private volatile bool _watching;
    private long _lastArrival;
    private int _requests;

    public bool IsWatching => _watching;

    /// <summary>When the last counted request arrived (the start of the watch, until one does).</summary>
    public long LastArrival => Volatile.Read(ref _lastArrival);

    /// <summary>Requests to <paramref name="path"/>, and below it, are not traffic (the health endpoints Graceful maps).</summary>
    public void Ignore(string path)
    {
        lock (_gate)
        {
            _mapped = [.. _mapped, new PathString(path)];
        }
    }

    /// <summary>Counts from <paramref name="startedAt"/>, ignoring the mapped health endpoints and <paramref name="ignorePaths"/>.</summary>
    public void Start(long startedAt, IEnumerable<string> ignorePaths)
    {
        lock (_gate)
        {
            _ignored = [.. _mapped, .. ignorePaths.Select(p => new PathString(p))];
            _connections.Clear();
            _addresses.Clear();
            _requests = 0;
            Volatile.Write(ref _lastArrival, startedAt);
            _watching = true;
        }
    }

    public void OnRequest(HttpContext context)
    {
        var path = context.Request.Path;
        foreach (var ignored in _ignored)
        {
            if (path.StartsWithSegments(ignored, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
        }

        Volatile.Write(ref _lastArrival, time.GetTimestamp());
        lock (_gate)
        {
            _requests++;
            _connections.Add(context.Connection.Id);
            if (_addresses.Count < MaxAddresses)
            {
                _addresses.Add(AddressOf(context));
            }
        }
    }

    /// <summary>Stops counting and says what arrived since <see cref="Start"/>.</summary>
    public TrafficSeen Stop()
    {
        lock (_gate)
        {
            _watching = false;
            return new TrafficSeen(_requests, _connections.Count, [.. _addresses.Order(StringComparer.Ordinal)]);
        }
    }

    // Behind a balancer the peer is the balancer itself; X-Forwarded-For names the client it relayed.
    private static string AddressOf(HttpContext context)
    {
        var peer = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
        return forwarded.Length == 0 ? peer : $"{peer} (X-Forwarded-For: {forwarded})";
    }
}

/// <summary>What arrived during the pre-stop: counted requests, the connections they came on, and where from.</summary>
internal sealed record TrafficSeen(int Requests, int Connections, IReadOnlyList<string> Addresses)
{
    public static TrafficSeen None { get; } = new(0, 0, []);
}
