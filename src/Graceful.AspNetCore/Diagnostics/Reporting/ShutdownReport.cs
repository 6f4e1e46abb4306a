using System.Text.Json.Serialization;

namespace Graceful.AspNetCore.Diagnostics.Reporting;

/// <summary>What one shutdown did (<see cref="ConnectionsClosedWithoutRequest"/>: closed by <see cref="GracefulOptions.DrainReadHeaderTimeout"/>), written at its end to the log and, with <see cref="GracefulOptions.ReportPath"/>, to a JSON file.</summary>
internal sealed record ShutdownReport(
    string Signal,
    DateTimeOffset StartedAt,
    int ExitCode,
    double TotalSeconds,
    IReadOnlyList<PhaseTiming> Phases,
    ConnectionCounts ConnectionsAtDrainStart,
    PreStopSummary? PreStop,
    int ConnectionsClosedWithoutRequest,
    Http2GoAways? Http2,
    IReadOnlyList<ReportedRequest> Requests,
    RequestTotals Totals)
{
    public override string ToString() =>
        $"{Signal}: {Totals.Requests} requests in flight or arriving, {Totals.Completed} completed, " +
        $"{Totals.CompletedAfterSoftDeadline} completed after the soft deadline, {Totals.Aborted} aborted" +
        (ConnectionsClosedWithoutRequest > 0 ? $", {ConnectionsClosedWithoutRequest} connections closed without a complete request" : "");
}

/// <summary>One phase of the shutdown and how long it took.</summary>
internal sealed record PhaseTiming(string Name, double Seconds);

/// <summary>
/// How the pre-stop ended (<c>delay</c>, <c>quiet</c>, <c>maximum</c>, <c>signal</c>, <c>deadline</c> or
/// <c>host-timeout</c>), after how long, and the requests (other than health probes and ignored paths) that arrived
/// during it, with the connections they came on and the addresses they came from.
/// </summary>
internal sealed record PreStopSummary(string EndedBy, double Seconds, int Requests, int Connections, IReadOnlyList<string> Addresses);

/// <summary>The connections open when the drain started, by how the drain handled them.</summary>
internal sealed record ConnectionCounts(int Total, int Busy, int IdleClosed, int KeptForNextRequest)
{
    /// <summary>With <see cref="GracefulOptions.CloseSpread"/>: the connections closed one at a time instead, and over how long.</summary>
    public SpreadCloses? Spread { get; init; }
}

/// <summary>Connections the drain closed one at a time over a window of <paramref name="WindowSeconds"/> (<see cref="GracefulOptions.CloseSpread"/>).</summary>
internal sealed record SpreadCloses(int Connections, double WindowSeconds);

/// <summary>
/// The HTTP/2 connections the shutdown asked to close: while serving a stream, which Kestrel answers with the two-step
/// GOAWAY (streams the client opened meanwhile are served), and while idle, which gets the final GOAWAY at once (a
/// stream its client opened just then is left unprocessed: the client retries it). How many streams that was only the
/// client can tell; these are the connections where it can happen. Null when there were none.
/// </summary>
internal sealed record Http2GoAways(int AskedWhileServing, int AskedWhileIdle);

/// <summary>A request in flight at the signal or arriving during the drain.</summary>
internal sealed record ReportedRequest(string Method, string Path, string ConnectionId, DateTimeOffset Start, DateTimeOffset? End, string Outcome);

/// <summary>How the reported requests ended.</summary>
internal sealed record RequestTotals(int Requests, int Completed, int CompletedAfterSoftDeadline, int Aborted);

/// <summary>The report's JSON, generated at compile time so it works trimmed and under NativeAOT.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ShutdownReport))]
internal sealed partial class ShutdownReportJson : JsonSerializerContext;
