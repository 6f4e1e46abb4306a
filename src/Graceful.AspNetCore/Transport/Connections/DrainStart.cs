namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>How the connections open at drain start were handled.</summary>
/// <param name="Busy">Serving a request: each closes after its response, which carries <c>Connection: close</c>.</param>
/// <param name="IdleClosed">Idle for longer than the idle grace (or HTTP/2, sent GOAWAY): closed at once.</param>
/// <param name="KeptForNextRequest">Used within the idle grace: kept open for the client's next request.</param>
/// <param name="Spread">Closed one at a time over <see cref="GracefulOptions.CloseSpread"/> instead (then the others are 0).</param>
/// <param name="Requests">The requests these connections were serving as the drain reached each.</param>
internal readonly record struct DrainStart(int Busy, int IdleClosed, int KeptForNextRequest, int Spread = 0, int Requests = 0)
{
    public int Total => Busy + IdleClosed + KeptForNextRequest + Spread;
}
