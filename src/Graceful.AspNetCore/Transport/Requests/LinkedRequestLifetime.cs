using Microsoft.AspNetCore.Http.Features;

namespace Graceful.AspNetCore.Transport.Requests;

/// <summary>A request lifetime whose <see cref="RequestAborted"/> also fires for a reason of Graceful's (a deadline).</summary>
internal sealed class LinkedRequestLifetime(IHttpRequestLifetimeFeature inner, CancellationToken aborted) : IHttpRequestLifetimeFeature
{
    public CancellationToken RequestAborted { get => aborted; set => throw new NotSupportedException(); }

    public void Abort() => inner.Abort();
}
