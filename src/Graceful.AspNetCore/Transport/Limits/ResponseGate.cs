namespace Graceful.AspNetCore.Transport.Limits;

/// <summary>
/// Decides, once, who writes the response: the handler (its first write claims it) or the write timeout.
/// After the timeout has claimed it, every handler write fails instead of interleaving with the 504.
/// </summary>
internal sealed class ResponseGate
{
    private const int Open = 0;
    private const int Handler = 1;
    private const int Timeout = 2;
    private int _owner;

    /// <summary>Called before each handler write; throws once the timeout owns the response.</summary>
    public void EnsureHandlerMayWrite()
    {
        if (Interlocked.CompareExchange(ref _owner, Handler, Open) == Timeout)
        {
            throw new OperationCanceledException("The response was already answered with a timeout status: the handler exceeded Graceful:Limits:WriteTimeout.");
        }
    }

    /// <summary>True when the timeout now owns the response; false when the handler had already started it.</summary>
    public bool TryClaimForTimeout() => Interlocked.CompareExchange(ref _owner, Timeout, Open) == Open;
}
