namespace Graceful.Drill.Recording;

/// <summary>A moment on the timeline: a signal sent, the listener seen closed, the last response, an exit.</summary>
public sealed record Marker(MarkerKind Kind, double At, string Label);

/// <summary>What a <see cref="Marker"/> marks; each kind has its colour and its way of being detected (docs/drill.md).</summary>
public enum MarkerKind
{
    /// <summary>The drill sent a signal.</summary>
    Signal,

    /// <summary>The service stopped accepting: first refused connect after a signal, or the service's own log line.</summary>
    ListenerClosed,

    /// <summary>The end of the last response the stopped process sent.</summary>
    LastResponse,

    /// <summary>A process exited (seen through a pidfd).</summary>
    Exit,

    /// <summary>A step of an upgrade or a rolling restart: a new pid, out of or back in rotation.</summary>
    Step,
}
