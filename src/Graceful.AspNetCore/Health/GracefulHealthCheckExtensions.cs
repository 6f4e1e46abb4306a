using Graceful.AspNetCore;
using Graceful.AspNetCore.Health;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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
    /// those tagged <see cref="LiveTag"/> (200 Healthy, 503 Unhealthy). Your own checks join either by their tag.
    /// </summary>
    public static IEndpointRouteBuilder MapGracefulHealthChecks(this IEndpointRouteBuilder endpoints,
        string readyPath = "/healthz/ready", string livePath = "/healthz/live")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks(readyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag) });
        endpoints.MapHealthChecks(livePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        // Balancers go on probing an instance they no longer route to: probes are not traffic to an adaptive pre-stop.
        if (endpoints.ServiceProvider.GetService<TrafficWatch>() is { } traffic)
        {
            traffic.Ignore(readyPath);
            traffic.Ignore(livePath);
        }

        return endpoints;
    }
}
