using Graceful.AspNetCore.Diagnostics.Logging;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Upgrades;

internal sealed partial class UpgradeCoordinator
{
    [LoggerMessage(EventId = 70, EventName = "UpgradeStarting", Level = LogLevel.Information,
        Message = "{Trigger}: upgrading in place: started successor pid {SuccessorPid} ({Command}) with {Listeners} inherited listeners; serving on until it is ready")]
    private static partial void LogStarting(ILogger logger, string trigger, int successorPid, string command, int listeners);

    [LoggerMessage(EventId = 71, EventName = "UpgradeHandedOver", Level = LogLevel.Information,
        Message = "Upgrade: successor pid {SuccessorPid} serves on {Listeners} listeners, ready {Elapsed} after the trigger; draining this process")]
    private static partial void LogHandedOver(ILogger logger, int successorPid, int listeners, LoggedDuration elapsed);

    [LoggerMessage(EventId = 72, EventName = "UpgradeFailed", Level = LogLevel.Error,
        Message = "{Trigger}: upgrade failed, this process serves on: successor pid {SuccessorPid}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string trigger, int successorPid, string reason);

    [LoggerMessage(EventId = 75, EventName = "UpgradeAbandoned", Level = LogLevel.Warning,
        Message = "{Trigger}: upgrade abandoned, the process is shutting down: successor pid {SuccessorPid}: {Reason}")]
    private static partial void LogAbandoned(ILogger logger, string trigger, int successorPid, string reason);

    [LoggerMessage(EventId = 73, EventName = "UpgradeIgnored", Level = LogLevel.Warning,
        Message = "{Trigger} ignored: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string trigger, string reason);
}
