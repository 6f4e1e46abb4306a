namespace Graceful.AspNetCore.Shutdown;

/// <summary>What started the shutdown, when (a <see cref="TimeProvider"/> timestamp), and which kind of start it was.</summary>
internal sealed record ShutdownTrigger(string Name, long Timestamp, TriggerKind Kind)
{
    /// <summary>Only a process that has served and still owns its sockets gives a balancer time to learn.</summary>
    public bool HasPreStop => Kind == TriggerKind.Stop;
}

/// <summary>The kinds of start a shutdown can have; each changes which phases run.</summary>
internal enum TriggerKind
{
    /// <summary>A signal, <c>ShutdownAsync</c> or <c>StopApplication</c>: every phase runs.</summary>
    Stop,

    /// <summary>
    /// The end of an upgrade's hand-over: no pre-stop (the successor accepts on the same sockets, so a balancer has
    /// nothing to learn), no STOPPING=1 (systemd follows the successor), and queued connections are the successor's.
    /// </summary>
    Handover,

    /// <summary>A signal during start-up: no pre-stop, since the application never served.</summary>
    BeforeServing,
}
