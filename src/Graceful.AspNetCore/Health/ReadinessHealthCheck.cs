using Graceful.AspNetCore.Shutdown;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Graceful.AspNetCore.Health;

/// <summary>Healthy until a shutdown begins; Unhealthy from the signal on, so balancers stop routing here.</summary>
internal sealed class ReadinessHealthCheck(ShutdownCoordinator coordinator) : IHealthCheck
{
    private static readonly Task<HealthCheckResult> Ready = Task.FromResult(HealthCheckResult.Healthy("Serving."));
    private static readonly Task<HealthCheckResult> ShuttingDown =
        Task.FromResult(HealthCheckResult.Unhealthy("Shutting down: take this instance out of rotation."));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        coordinator.IsShuttingDown ? ShuttingDown : Ready;
}
