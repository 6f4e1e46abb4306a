
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Upgrades;

namespace Graceful.AspNetCore.Hosting;

/// <summary>The public face of the shutdown and upgrade coordinators.</summary>
internal sealed class GracefulShutdownService(ShutdownCoordinator shutdown, UpgradeCoordinator upgrades) : IGracefulShutdown
{
    public bool IsShuttingDown => shutdown.IsShuttingDown;

    public Task<DrainResult> ShutdownAsync(CancellationToken deadline = default) => shutdown.ShutdownAsync(deadline);

    public Task<UpgradeResult> UpgradeAsync(CancellationToken cancellationToken = default) =>
        upgrades.UpgradeAsync(nameof(IGracefulShutdown.UpgradeAsync), cancellationToken);
}
