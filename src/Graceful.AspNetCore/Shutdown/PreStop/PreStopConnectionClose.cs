namespace Graceful.AspNetCore;

/// <summary>
/// Whether responses during the pre-stop close their connections (<c>Connection: close</c>; HTTP/2: GOAWAY) while
/// the listeners still accept, so a balancer that reuses its backend connections has to reconnect, and one that has
/// learned of the stop reconnects elsewhere.
/// </summary>
public enum PreStopConnectionClose
{
    /// <summary>Connections stay keep-alive until the drain starts.</summary>
    None,

    /// <summary>From the end of <see cref="GracefulOptions.PreStopDelay"/> on, when the balancer has had its time to learn.</summary>
    AfterDelay,

    /// <summary>From the signal on.</summary>
    FromStart,
}
