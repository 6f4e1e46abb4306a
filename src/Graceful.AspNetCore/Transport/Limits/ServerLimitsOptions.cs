namespace Graceful.AspNetCore.Limits;

/// <summary>
/// Go <c>http.Server</c>-style limits, mapped onto Kestrel. Each applies only when set: <see langword="null"/> leaves
/// Kestrel's own default, or whatever the app configured through <c>ConfigureKestrel</c> or Kestrel's configuration
/// section, untouched. <see cref="Timeout.InfiniteTimeSpan"/> means no limit. No limit silently eats a response: each
/// ends in a status code the client can see, or a closed connection before any request was read.
/// When the app also sets the same Kestrel limit itself (to a value other than Kestrel's default), the app's Kestrel
/// value wins and the conflict is logged once at start.
/// </summary>
public sealed class ServerLimitsOptions
{
    /// <summary>
    /// How long a client may take to send the request line and headers (Kestrel's <c>RequestHeadersTimeout</c>).
    /// A client that started a request gets 408; one that sent nothing has its connection closed. Unset: Kestrel's.
    /// </summary>
    public TimeSpan? ReadHeaderTimeout { get; set; }

    /// <summary>
    /// How long, from the start of the request, the application may take to read the whole request body.
    /// A read past it fails with 408 Request Timeout. Unset: no limit.
    /// </summary>
    public TimeSpan? ReadTimeout { get; set; }

    /// <summary>
    /// How long, from the start of the request, the handler may take to start its response. Past it the client
    /// gets 504 Gateway Timeout with <c>Connection: close</c>, the handler's <c>RequestAborted</c> fires, and
    /// anything it writes later is discarded. A response already started is never cut. Unset: no limit.
    /// </summary>
    public TimeSpan? WriteTimeout { get; set; }

    /// <summary>How long a keep-alive connection may sit idle between requests (Kestrel's <c>KeepAliveTimeout</c>). Unset: Kestrel's.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// The most bytes a request line and its headers may take (Kestrel's <c>MaxRequestHeadersTotalSize</c> and
    /// <c>MaxRequestLineSize</c>); larger gets 431 (a longer request line, 414). Go's <c>http.Server</c> defaults to
    /// 1 MiB (<c>1 &lt;&lt; 20</c>). Unset: Kestrel's (32 KiB of headers, an 8 KiB request line).
    /// </summary>
    public int? MaxHeaderBytes { get; set; }

    /// <summary>Whether the request deadlines (<see cref="ReadTimeout"/>, <see cref="WriteTimeout"/>) need Graceful's middleware.</summary>
    internal bool HasRequestDeadlines => IsLimited(ReadTimeout) || IsLimited(WriteTimeout);

    internal static bool IsLimited(TimeSpan? value) => value is { } limit && limit != Timeout.InfiniteTimeSpan;
}
