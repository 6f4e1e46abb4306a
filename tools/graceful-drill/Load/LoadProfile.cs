namespace Graceful.Drill.Load;

/// <summary>
/// What load the drill applies. With a <see cref="Rate"/>, requests are scheduled at that pace whatever the service
/// does (open loop; a request waits for a free connection when all <see cref="Concurrency"/> are busy); with rate 0
/// each connection sends its next request as soon as the previous one is answered (closed loop).
/// </summary>
public sealed record LoadProfile(
    int Concurrency,
    double Rate,
    IReadOnlyList<RequestSpec> Mix,
    bool KeepAlive,
    HttpProtocol Protocol,
    TimeSpan RequestTimeout,
    int Seed = 1);

/// <summary>The protocol the load speaks: HTTP/1.1 on raw sockets, or HTTP/2 with prior knowledge (h2c).</summary>
public enum HttpProtocol
{
    Http1,
    Http2,
}
