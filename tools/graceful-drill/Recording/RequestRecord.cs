namespace Graceful.Drill.Recording;

/// <summary>
/// One request of the load. Times are milliseconds since the drill's clock started: <see cref="Scheduled"/> is when
/// the open-loop schedule wanted it sent, <see cref="Start"/> when it was (later, if every connection was busy), and
/// <see cref="End"/> when its outcome was known. <see cref="RetryAfter"/> is the response's <c>Retry-After</c> header, when
/// it had one.
/// </summary>
public sealed record RequestRecord(
    long Id,
    int Worker,
    string Method,
    string Path,
    double Scheduled,
    double Start,
    double End,
    Outcome Outcome,
    int? Status,
    string? Error,
    string? RetryAfter = null);
