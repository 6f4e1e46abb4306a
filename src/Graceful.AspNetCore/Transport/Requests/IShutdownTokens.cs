namespace Graceful.AspNetCore;

/// <summary>
/// Tokens a handler can observe to end early and well during a graceful shutdown. Inject it, or read it from a
/// request: <c>context.Features.Get&lt;IShutdownTokens&gt;()</c>. Neither token aborts anything by itself.
/// </summary>
public interface IShutdownTokens
{
    /// <summary>
    /// Fires when the drain starts: the listeners have closed, every connection has been told how it ends, and the
    /// application is on its way out. Long-lived streams (WebSockets, server-sent events) should end now.
    /// </summary>
    CancellationToken Draining { get; }

    /// <summary>
    /// Fires at the soft deadline, <see cref="GracefulOptions.SoftDrainTimeout"/> after the drain starts: a long handler
    /// should finish now with a proper response, before <see cref="GracefulOptions.DrainTimeout"/> aborts it.
    /// Never fires when no soft deadline is configured.
    /// </summary>
    CancellationToken SoftDeadline { get; }
}
