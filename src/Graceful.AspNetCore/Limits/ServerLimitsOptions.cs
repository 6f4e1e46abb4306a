namespace Graceful.AspNetCore.Limits;

/// <summary>
/// Go <c>http.Server</c>-style limits, mapped onto Kestrel. <see cref="Timeout.InfiniteTimeSpan"/> means no limit.
/// No limit silently eats a response: each ends in a status code the client can see, or a closed connection
/// before any request was read.
/// </summary>
public sealed class ServerLimitsOptions
{
    /// <summary>
    /// How long a client may take to send the request line and headers (Kestrel's <c>RequestHeadersTimeout</c>).
    /// A client that started a request gets 408; one that sent nothing has its connection closed.
    /// </summary>
    public TimeSpan ReadHeaderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long, from the start of the request, the application may take to read the whole request body.
    /// A read past it fails with 408 Request Timeout. Unlimited by default.
    /// </summary>
    public TimeSpan ReadTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// How long, from the start of the request, the handler may take to start its response. Past it the client
    /// gets 504 Gateway Timeout with <c>Connection: close</c>, the handler's <c>RequestAborted</c> fires, and
    /// anything it writes later is discarded. A response already started is never cut. Unlimited by default.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>How long a keep-alive connection may sit idle between requests (Kestrel's <c>KeepAliveTimeout</c>).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>
    /// The most bytes a request line and its headers may take (Kestrel's <c>MaxRequestHeadersTotalSize</c> and
    /// <c>MaxRequestLineSize</c>). Larger headers get 431. Default 1 MiB, as Go's <c>DefaultMaxHeaderBytes</c>.
    /// </summary>
    public int MaxHeaderBytes { get; set; } = 1 << 20;
}
