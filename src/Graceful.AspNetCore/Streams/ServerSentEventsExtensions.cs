using System.Runtime.CompilerServices;

namespace Graceful.AspNetCore;

/// <summary>Ending server-sent-event streams cleanly when the drain starts.</summary>
public static class ServerSentEventsExtensions
{
    /// <summary>
    /// Yields <paramref name="source"/>'s items until <see cref="IShutdownTokens.Draining"/> fires, then ends the
    /// sequence normally, so <c>TypedResults.ServerSentEvents</c> completes the response instead of the drain having
    /// to abort it. The source must observe the cancellation token it is enumerated with (the drain cancels it).
    /// </summary>
    public static async IAsyncEnumerable<T> UntilDraining<T>(this IAsyncEnumerable<T> source, IShutdownTokens shutdown,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(shutdown);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Draining, cancellationToken);
        await using var items = source.GetAsyncEnumerator(stop.Token);
        while (!shutdown.Draining.IsCancellationRequested)
        {
            bool more;
            try
            {
                more = await items.MoveNextAsync();
            }
            catch (OperationCanceledException) when (shutdown.Draining.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            if (!more)
            {
                yield break;
            }

            yield return items.Current;
        }
    }
}
