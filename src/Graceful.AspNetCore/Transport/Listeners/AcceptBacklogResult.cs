namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// How the wait before the listeners closed ended: whether new handshakes were filtered, how long it took, and, when it
/// reached its bound (<paramref name="TimedOut"/>), the handshakes still under way then (reset as the listeners close).
/// </summary>
/// <remarks>A class, not a struct: an async method's generic code over a value type would be compiled at the first stop.</remarks>
internal sealed record AcceptBacklogResult(bool Filtered, TimeSpan Waited, int HandshakesLeft, bool TimedOut);
