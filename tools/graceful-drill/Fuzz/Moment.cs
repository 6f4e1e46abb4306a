using Graceful.Drill.Load;

namespace Graceful.Drill.Fuzz;

/// <summary>
/// What the requests in flight are doing when a fuzz trial's signal comes: the states in which a shutdown or an
/// upgrade can lose a request. Each has a probe in <c>Probes/</c> that puts requests in that state.
/// </summary>
public enum Moment
{
    /// <summary>Requests just sent on keep-alive connections that had been idle (the keep-alive race).</summary>
    IdleKeepAlive,

    /// <summary>Connections sending back to back: some are always between a response and their next request.</summary>
    BusyKeepAlive,

    /// <summary>A burst of connects beyond the listen backlog just before: connections in the kernel's accept queue.</summary>
    AcceptQueue,

    /// <summary>Requests part-way through their headers or body: the rest is sent after the signal.</summary>
    MidRequest,

    /// <summary>HTTP/2 streams being opened on a live connection.</summary>
    StreamOpen,
}

/// <summary>The moments' names on the command line and in the reports, and which protocol each needs.</summary>
public static class Moments
{
    private static readonly (Moment Moment, string Name, HttpProtocol Protocol)[] All =
    [
        (Moment.IdleKeepAlive, "idle-keep-alive", HttpProtocol.Http1),
        (Moment.BusyKeepAlive, "busy-keep-alive", HttpProtocol.Http1),
        (Moment.AcceptQueue, "accept-queue", HttpProtocol.Http1),
        (Moment.MidRequest, "mid-request", HttpProtocol.Http1),
        (Moment.StreamOpen, "stream-open", HttpProtocol.Http2),
    ];

    public static string Name(Moment moment) => All.First(m => m.Moment == moment).Name;

    /// <summary>Every moment the load's protocol can put requests in.</summary>
    public static IReadOnlyList<Moment> For(HttpProtocol protocol) => [.. All.Where(m => m.Protocol == protocol).Select(m => m.Moment)];

    /// <summary><c>idle-keep-alive,mid-request</c>: the moments to fuzz, each one <paramref name="protocol"/> speaks (when known).</summary>
    public static IReadOnlyList<Moment> Parse(string text, HttpProtocol? protocol)
    {
        var moments = new List<Moment>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var known = All.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (known.Name is null)
            {
                throw new FormatException($"--moments '{text}': '{name}' is not one of {string.Join(", ", All.Select(m => m.Name))}.");
            }

            if (protocol is { } speaks && known.Protocol != speaks)
            {
                throw new FormatException($"--moments '{text}': {known.Name} needs --http {(known.Protocol == HttpProtocol.Http2 ? "2" : "1.1")}.");
            }

            moments.Add(known.Moment);
        }

        return moments.Count > 0 ? moments.Distinct().ToArray() : throw new FormatException($"--moments '{text}': name at least one moment.");
    }
}
