namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>How <see cref="TrackedConnection.CloseGracefully"/> closed a connection.</summary>
internal enum GracefulClose
{
    /// <summary>Serving a request: it closes after its response (HTTP/2: GOAWAY, its open streams finish).</summary>
    Busy,

    /// <summary>Idle for longer than the idle grace (or HTTP/2, sent GOAWAY): closed at once.</summary>
    ClosedIdle,

    /// <summary>Used within the idle grace: kept for the client's next request, answered with <c>Connection: close</c>.</summary>
    KeptForNextRequest,
}
