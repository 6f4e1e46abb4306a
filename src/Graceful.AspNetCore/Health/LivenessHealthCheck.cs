using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Graceful.AspNetCore.Health;

/// <summary>Healthy while the process can answer, shutdown included: a draining instance must not be restarted.</summary>
internal sealed class LivenessHealthCheck : IHealthCheck
{
    private static readonly Task<HealthCheckResult> Alive = Task.FromResult(HealthCheckResult.Healthy("Alive."));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => Alive;
}
