namespace Graceful.AspNetCore.Shutdown;

/// <summary>
/// The phases of a shutdown, in the order <see cref="ShutdownCoordinator"/> runs them. The names the report and the
/// log use come from here (<see cref="ShutdownPhases.ReportName"/>), not from literals at the call sites.
/// </summary>
internal enum ShutdownPhase
{
    /// <summary>No shutdown has begun.</summary>
    Serving,

    /// <summary>A trigger was recorded; readiness reports Unhealthy from here.</summary>
    Triggered,

    /// <summary>The application goes on serving while the balancer learns (a fixed delay or until traffic stops).</summary>
    PreStop,

    /// <summary>Every listener closes: new connections are refused.</summary>
    StopAccepting,

    /// <summary>Idle connections close; busy ones close after their response.</summary>
    CloseIdle,

    /// <summary>In-flight requests finish, until the soft deadline warns them and the hard deadline cuts them.</summary>
    Drain,

    /// <summary>Shutdown hooks run, in registration order.</summary>
    Hooks,

    /// <summary>The host has stopped every hosted service; the report is written and the exit code decided.</summary>
    Exit,
}

/// <summary>The names of <see cref="ShutdownPhase"/>s as the shutdown report writes them.</summary>
internal static class ShutdownPhases
{
    /// <summary>The phase's name in the report's <c>phases</c> list.</summary>
    public static string ReportName(this ShutdownPhase phase) => phase switch
    {
        ShutdownPhase.PreStop => "pre-stop-delay",
        ShutdownPhase.StopAccepting => "stop-accepting",
        ShutdownPhase.CloseIdle => "close-idle",
        ShutdownPhase.Drain => "drain",
        ShutdownPhase.Hooks => "hooks",
        ShutdownPhase.Exit => "exit",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "Not a reported phase."),
    };
}
