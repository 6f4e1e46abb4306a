using Graceful.AspNetCore.Transport.Requests;

namespace Graceful.AspNetCore.Shutdown.PreStop;

/// <summary>Why the pre-stop ended, as the log and the report name it.</summary>
internal static class PreStopEndedBy
{
    /// <summary>A fixed <see cref="GracefulOptions.PreStopDelay"/> ran its course.</summary>
    public const string Delay = "delay";

    /// <summary>No request arrived for <see cref="GracefulOptions.PreStopQuietPeriod"/>: the balancer stopped sending.</summary>
    public const string Quiet = "quiet";

    /// <summary><see cref="GracefulOptions.PreStopMaxDelay"/> was reached while traffic still arrived.</summary>
    public const string Maximum = "maximum";

    /// <summary>Cut short by a repeated signal: the operator insists.</summary>
    public const string Signal = "signal";

    /// <summary>Cut short by the deadline passed to <c>ShutdownAsync</c>.</summary>
    public const string Deadline = "deadline";

    /// <summary>Cut short by the host's stop token (the app's <c>HostOptions.ShutdownTimeout</c>).</summary>
    public const string HostTimeout = "host-timeout";
}

/// <summary>How a pre-stop ended, after how long, and what arrived during it.</summary>
internal sealed record PreStopEnd(string EndedBy, TimeSpan Elapsed, TrafficSeen Traffic);
