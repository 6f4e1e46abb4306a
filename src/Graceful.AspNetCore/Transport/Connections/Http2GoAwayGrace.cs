namespace Graceful.AspNetCore.Transport.Connections;

/// <summary>
/// <see cref="GracefulOptions.Http2GoAwayGrace"/>: a stream of an HTTP/2 connection Graceful asked to close (the drain, a
/// pre-stop that closes connections, or its age: <see cref="ConnectionAging"/>) ends no earlier than the grace after the ask. Kestrel sends its
/// first GOAWAY (2^31-1) only while a stream is open, and its final one, followed at once by the close, as soon as none
/// is; a stream kept open until then keeps the first standing for the grace, so the client has read it (and stopped
/// opening streams) before the final one and the close reach it, and the streams it opened meanwhile are served. Only
/// the stream's end waits: its response has been written. <see cref="RequestTrackingMiddleware"/> calls it.
/// </summary>
internal static class Http2GoAwayGrace
{
    /// <summary>
    /// The grace when the option is unset: a round trip and a busy client's scheduling delays, many times over. Without
    /// it <c>HttpClient</c> can lose a request (docs/design.md, "HTTP/2 GOAWAY: the stream lost at the close").
    /// </summary>
    public static readonly TimeSpan Default = TimeSpan.FromMilliseconds(100);

    /// <summary>The grace <paramref name="options"/> ask for: as set (zero: none, Kestrel's own close), or <see cref="Default"/> within half of a finite drain deadline.</summary>
    public static TimeSpan Of(GracefulOptions options) =>
        options.Http2GoAwayGrace
        ?? (options.DrainTimeout != Timeout.InfiniteTimeSpan && options.DrainTimeout / 2 < Default ? options.DrainTimeout / 2 : Default);

    /// <summary>
    /// Whether a stream that has just ended on <paramref name="connection"/> (HTTP/2) must wait before its end goes out:
    /// Graceful has asked the connection to close (<see cref="TrackedConnection.RequestClose"/>), whoever for.
    /// </summary>
    public static bool Holds(TrackedConnection connection, TimeSpan grace) => grace > TimeSpan.Zero && connection.CloseAskedAt != 0;

    /// <summary>Waits out what is left of the grace since the connection was asked to close; the drain deadline's abort ends the wait.</summary>
    public static async Task HoldAsync(TrackedConnection connection, ConnectionTracker tracker, TimeSpan grace, CancellationToken aborted)
    {
        if (!Holds(connection, grace))
        {
            return;
        }

        var left = grace - tracker.Time.GetElapsedTime(connection.CloseAskedAt);
        if (left > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(left, tracker.Time, aborted);
            }
            catch (OperationCanceledException)
            {
                // The drain deadline aborted the connection: nothing left to keep standing.
            }
        }
    }
}
