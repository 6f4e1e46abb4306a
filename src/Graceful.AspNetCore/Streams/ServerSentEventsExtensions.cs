using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.AspNetCore;

/// <summary>Ending server-sent-event streams cleanly when the drain starts.</summary>
public static class ServerSentEventsExtensions
{
    /// <summary>
    /// Yields <paramref name="source"/>'s items until <see cref="IShutdownTokens.Draining"/> fires, then ends the
    /// sequence normally, so <c>TypedResults.ServerSentEvents</c> completes the response instead of the drain having
    /// to abort it. The source must observe the cancellation token it is enumerated with (the drain cancels it).
    /// The connection then stays open for up to <see cref="GracefulOptions.IdleGrace"/>, as after any response that
    /// went out keep-alive; the <see cref="UntilDraining{T}(IAsyncEnumerable{T}, HttpContext)"/> overload closes it at once.
    /// </summary>
    public static IAsyncEnumerable<T> UntilDraining<T>(this IAsyncEnumerable<T> source, IShutdownTokens shutdown,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(shutdown);
        return Until(source, shutdown, drained: null, cancellationToken);
    }

    /// <summary>
    /// Yields <paramref name="source"/>'s items until <see cref="IShutdownTokens.Draining"/> fires, then ends the
    /// sequence normally and asks the connection to close once the response has completed: the client reads the
    /// stream's last chunk, then the connection's end, instead of the connection waiting out
    /// <see cref="GracefulOptions.IdleGrace"/> for a next request. An event stream's client reconnects after its retry
    /// delay, not in the instant between the two, and Kestrel's own stop closes such a connection the same way (Go's
    /// <c>Shutdown</c> too). The source must observe the cancellation token it is enumerated with (the drain cancels
    /// it); the request's <see cref="HttpContext.RequestAborted"/> also ends it. HTTP/2: the connection gets GOAWAY,
    /// as the drain already sent it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Graceful is not registered (<c>AddGraceful</c>).</exception>
    public static IAsyncEnumerable<T> UntilDraining<T>(this IAsyncEnumerable<T> source, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(context);
        var shutdown = context.Features.Get<IShutdownTokens>() ?? context.RequestServices.GetService<IShutdownTokens>()
            ?? throw new InvalidOperationException("UntilDraining needs Graceful's services: call builder.Services.AddGraceful().");
        return Until(source, shutdown, () => context.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose(),
            context.RequestAborted);
    }

    private static async IAsyncEnumerable<T> Until<T>(IAsyncEnumerable<T> source, IShutdownTokens shutdown, Action? drained,
        CancellationToken requestAborted, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Draining, requestAborted, cancellationToken);
        await using var items = source.GetAsyncEnumerator(stop.Token);
        while (!shutdown.Draining.IsCancellationRequested)
        {
            bool more;
            try
            {
                more = await items.MoveNextAsync();
            }
            catch (OperationCanceledException) when (shutdown.Draining.IsCancellationRequested
                && !requestAborted.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }

            if (!more)
            {
                yield break;
            }

            yield return items.Current;
        }

        // Ended by the drain (not by the source): the response completes next, and its connection closes after it.
        drained?.Invoke();
    }
}
