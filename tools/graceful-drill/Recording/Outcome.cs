namespace Graceful.Drill.Recording;

/// <summary>How one request ended, as the client saw it.</summary>
public enum Outcome
{
    /// <summary>A complete 2xx response.</summary>
    Ok,

    /// <summary>A complete response with another status (a 503 from a balancer, a 404, ...).</summary>
    NonSuccess,

    /// <summary>Sent on an open connection and answered by EOF or a reset: the client cannot know whether it ran.</summary>
    Lost,

    /// <summary>The connection was refused before anything was sent: safe to retry elsewhere.</summary>
    Refused,

    /// <summary>No complete response (or no connection) within the request timeout.</summary>
    TimedOut,
}
