using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Graceful.AspNetCore.Transport.Requests;

/// <summary>With <see cref="GracefulOptions.AbortRequestsAtSoftDeadline"/>: each request's <c>RequestAborted</c> also fires at the soft deadline.</summary>
internal static class SoftDeadlineAbortMiddleware
{
    public static RequestDelegate Create(RequestDelegate next, ShutdownTokens tokens) => async context =>
    {
        var lifetime = context.Features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(lifetime.RequestAborted, tokens.SoftDeadline);
        context.Features.Set<IHttpRequestLifetimeFeature>(new LinkedRequestLifetime(lifetime, aborted.Token));
        await next(context);
    };
}
