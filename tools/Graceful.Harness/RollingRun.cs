using System.Text.Json;

namespace Graceful.Harness;

/// <summary>One rolling-restart scenario for <see cref="RollingRestart.RunAsync(RollingRun)"/>.</summary>
public sealed record RollingRun(string Program, IReadOnlyList<string> Args)
{
    public int Instances { get; init; } = 2;

    public int Restarts { get; init; } = 2;

    /// <summary>How long after the SIGTERM a balancer told from outside stops routing to the instance.</summary>
    public TimeSpan Lag { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When longer than <see cref="Lag"/>, each restart's lag is drawn uniformly from [Lag, LagMax], as endpoint
    /// propagation varies from one stop to the next. The draws are seeded, so every app run through the same cell sees
    /// the same lags in the same order.
    /// </summary>
    public TimeSpan LagMax { get; init; }

    /// <summary>Null: <see cref="BalancerSetup.Default"/>.</summary>
    public BalancerSetup? Balancer { get; init; }

    public LoadShape Load { get; init; } = LoadShape.Paced10;

    public int Clients { get; init; } = 16;

    public string Path { get; init; } = "/ping";

    /// <summary>The pause after the instances are in rotation and after each restart.</summary>
    public TimeSpan Between { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>The load's totals, each restart's outcome, and the balancer's output other than its request log.</summary>
public sealed record RollingResult(LoadResult Load, IReadOnlyList<RestartOutcome> Restarts, string BalancerOutput = "");

/// <summary>
/// One instance's stop: its exit code, the signal's wall-clock time, the time from the signal to its exit, its report's
/// pre-stop (when it wrote a report), the last request the balancer's own log shows sent to it before its listener
/// closed (before the signal when there was no pre-stop) and how many it sent it after that, the 5xx answers its log
/// shows from the signal to a second after the exit, and the load's counts during this restart.
/// </summary>
public sealed record RestartOutcome(string Server, int Pid, int ExitCode, DateTimeOffset SignalledAt, TimeSpan StopTime,
    PreStopOutcome? PreStop, DateTimeOffset? LastRequestBeforeClose, int RequestsAfterClose, int BalancerErrors)
{
    /// <summary>The load's counts during this restart (set by <see cref="RollingRestart.RunAsync(RollingRun)"/>).</summary>
    public LoadResult Load { get; init; } = new(0, 0, 0);

    public int Failed => Load.Failed;

    /// <summary>The lag this restart was given (set by <see cref="RollingRestart.RunAsync(RollingRun)"/>).</summary>
    public TimeSpan Lag { get; init; }

    /// <summary>
    /// The connections the balancer opened to the other instances from the signal until the fresh instance was back in
    /// rotation (the clients the stop sent elsewhere); null when the balancer does not count them (only HAProxy does).
    /// </summary>
    public NewConnectionPeak? NewConnectionsElsewhere { get; init; }

    /// <summary>From the balancer's last request (its own log) to the listener closing (the report).</summary>
    public TimeSpan? LastRequestToClose => PreStop is { } p && LastRequestBeforeClose is { } last ? p.ListenerClosedAt - last : null;
}

/// <summary>The pre-stop section of an instance's shutdown report.</summary>
public sealed record PreStopOutcome(string EndedBy, TimeSpan Length, int Requests, int Connections, DateTimeOffset ListenerClosedAt)
{
    /// <summary>Reads Graceful's shutdown report at <paramref name="path"/>; null when it has no pre-stop or is absent.</summary>
    public static PreStopOutcome? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var report = JsonDocument.Parse(File.ReadAllText(path));
        var root = report.RootElement;
        if (!root.TryGetProperty("preStop", out var preStop))
        {
            return null;
        }

        var length = TimeSpan.FromSeconds(preStop.GetProperty("seconds").GetDouble());
        return new PreStopOutcome(preStop.GetProperty("endedBy").GetString()!, length, preStop.GetProperty("requests").GetInt32(),
            preStop.GetProperty("connections").GetInt32(), root.GetProperty("startedAt").GetDateTimeOffset() + length);
    }
}
