using Graceful.AspNetCore;
using Graceful.AspNetCore.Health;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Readiness and liveness that follow the shutdown, for Kubernetes probes and load balancers.</summary>
public static class GracefulHealthCheckExtensions
{
    /// <summary>The tag of the readiness check (<c>graceful-ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>The tag of the liveness check (<c>graceful-live</c>).</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Adds <c>graceful-ready</c> (tag <see cref="ReadyTag"/>): Healthy until a shutdown begins, Unhealthy from the
    /// signal on, through <see cref="GracefulOptions.PreStopDelay"/> while the app still serves; and
    /// <c>graceful-live</c> (tag <see cref="LiveTag"/>): Healthy until the process exits. Requires <c>AddGraceful</c>.
    /// </summary>
    public static IHealthChecksBuilder AddGracefulChecks(this IHealthChecksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .Add(new HealthCheckRegistration("graceful-ready", sp => new ReadinessHealthCheck(sp.GetRequiredService<ShutdownCoordinator>()),
                HealthStatus.Unhealthy, [ReadyTag]))
            .Add(new HealthCheckRegistration("graceful-live", _ => new LivenessHealthCheck(), HealthStatus.Unhealthy, [LiveTag]));
    }

    /// <summary>
    /// Maps <paramref name="readyPath"/> to the checks tagged <see cref="ReadyTag"/> and <paramref name="livePath"/> to
    /// those tagged <see cref="LiveTag"/> (200 Healthy, 503 Unhealthy). Your own checks join either by their tag, and
    /// log as ASP.NET Core's health checks always do. Once a shutdown has begun, the readiness endpoint answers 503
    /// itself, without running the checks, and logs one Information line when it first does: an instance taken out of
    /// rotation is expected, not an error to log at every probe. Requires <c>AddGraceful</c>.
    /// </summary>
    /// <returns>
    /// A builder for both endpoints' conventions: <c>.AllowAnonymous()</c> under an authorization fallback policy,
    /// <c>.RequireHost(...)</c>, <c>.DisableHttpMetrics()</c> and the like apply to the two endpoints.
    /// </returns>
    public static IEndpointConventionBuilder MapGracefulHealthChecks(this IEndpointRouteBuilder endpoints,
        string readyPath = "/healthz/ready", string livePath = "/healthz/live")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var coordinator = endpoints.ServiceProvider.GetService<ShutdownCoordinator>()
            ?? throw new InvalidOperationException("MapGracefulHealthChecks needs AddGraceful(): call builder.Services.AddGraceful() first.");
        var readyLog = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReadinessShortcut).FullName!);

        // A group with no prefix: its conventions reach both endpoints, and nothing else.
        var group = endpoints.MapGroup("");
        Func<RequestDelegate, RequestDelegate> shortcut = checks => new ReadinessShortcut(checks, coordinator, readyPath, readyLog).InvokeAsync;
        var readyChecks = endpoints.CreateApplicationBuilder()
            .Use(shortcut)
            .UseMiddleware<HealthCheckMiddleware>(Options.Create(new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag) }))
            .Build();
        group.Map(readyPath, readyChecks).WithDisplayName("Health checks");
        group.MapHealthChecks(livePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });

        // Balancers go on probing an instance they no longer route to: probes are not traffic to an adaptive pre-stop.
        if (endpoints.ServiceProvider.GetService<TrafficWatch>() is { } traffic)
        {
            traffic.Ignore(readyPath);
            traffic.Ignore(livePath);
        }

        return group;
    }
}
