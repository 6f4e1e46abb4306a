using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Reports;

/// <summary>
/// Everything a drill found, as the JSON file holds it and the other reports show it. <see cref="Warnings"/> are what
/// makes the run weaker evidence without failing it (a load short of its rate).
/// </summary>
public sealed record DrillReport(
    string Title,
    string Scenario,
    LoadProfileReport Load,
    DateTimeOffset StartedAt,
    DrillSummary Summary,
    long Unsent,
    Verdict Verdict,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<ProcessExit> Exits,
    IReadOnlyList<Marker> Markers,
    IReadOnlyList<RequestRecord> Requests)
{
    /// <summary>A rolling restart's new connections at the instances left serving, per restart; null when not counted.</summary>
    public IReadOnlyList<RestartConnections>? NewConnections { get; init; }
}

/// <summary>The load profile in words and numbers.</summary>
public sealed record LoadProfileReport(int Concurrency, double Rate, IReadOnlyList<string> Mix, bool KeepAlive, string Protocol, double RequestTimeoutMs)
{
    public static LoadProfileReport Of(LoadProfile profile) => new(profile.Concurrency, profile.Rate, [.. profile.Mix.Select(m => m.ToString())],
        profile.KeepAlive, profile.Protocol == HttpProtocol.Http1 ? "HTTP/1.1" : "HTTP/2 (h2c)", profile.RequestTimeout.TotalMilliseconds);

    public string Describe() =>
        $"{(Rate > 0 ? $"{Rate:0.#} requests/s paced (open loop)" : "unpaced (closed loop)")}, {Concurrency} connections, {Protocol}, keep-alive {(KeepAlive ? "on" : "off")}, " +
        $"timeout {RequestTimeoutMs:0} ms; mix {string.Join(", ", Mix)}";
}

/// <summary>Whether the drill passed, and why not.</summary>
public sealed record Verdict(bool Passed, IReadOnlyList<string> Reasons, string? Error = null);
