using Graceful.AspNetCore.Diagnostics.Reporting;
using Graceful.AspNetCore.Hosting;
using Graceful.AspNetCore.Platform.Files;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Shutdown.Hooks;
using Graceful.AspNetCore.Upgrades;

namespace Graceful.Tests;

/// <summary>
/// Graceful's log events that child-process tests assert on, by category and event name; the ids come from the
/// <c>[LoggerMessage]</c> declarations (<see cref="EventKey.Of{TCategory}"/>), so rewording a line breaks no test.
/// </summary>
internal static class GracefulEvents
{
    // The shutdown sequence (ShutdownEvents logs under the coordinator's category), in the order it runs.
    public static readonly EventKey StopBudget = Sequence("StopBudget");
    public static readonly EventKey ShutdownStarted = Sequence("ShutdownStarted");
    public static readonly EventKey AlreadyShuttingDown = Sequence("AlreadyShuttingDown");
    public static readonly EventKey ForcingDeadline = Sequence("ForcingDeadline");
    public static readonly EventKey RepeatedAfterDrain = Sequence("RepeatedAfterDrain");
    public static readonly EventKey HostTimeoutCut = Sequence("HostTimeoutCut");
    public static readonly EventKey PreStopDelay = Sequence("PreStopDelay");
    public static readonly EventKey AdaptivePreStop = Sequence("AdaptivePreStop");
    public static readonly EventKey PreStopQuiet = Sequence("PreStopQuiet");
    public static readonly EventKey PreStopMaximum = Sequence("PreStopMaximum");
    public static readonly EventKey StoppedAccepting = Sequence("StoppedAccepting");
    public static readonly EventKey ClosedIdle = Sequence("ClosedIdle");
    public static readonly EventKey ClosesSpread = Sequence("ClosesSpread");
    public static readonly EventKey CloseSpreadOverridden = Sequence("CloseSpreadOverridden");
    public static readonly EventKey ClosedWithoutRequest = Sequence("ClosedWithoutRequest");
    public static readonly EventKey RequestCut = Sequence("RequestCut");
    public static readonly EventKey Drained = Sequence("Drained");
    public static readonly EventKey DrainCut = Sequence("DrainCut");
    public static readonly EventKey HooksRan = Sequence("HooksRan");
    public static readonly EventKey Exited = Sequence("Exited");

    public static readonly EventKey StopTimeoutExtended = EventKey.Of<StopTimeoutExtension>("SystemdStopTimeoutExtended");

    public static readonly EventKey HookFailed = EventKey.Of<ShutdownHookRunner>("HookFailed");
    public static readonly EventKey ReportWriteFailed = EventKey.Of<ShutdownReportWriter>("ReportWriteFailed");
    public static readonly EventKey PidFileGone = EventKey.Of<PidFile>("PidFileGone");
    public static readonly EventKey ForeignLifetime = EventKey.Of<ForeignLifetimeTakeover>("ForeignLifetime");

    // Signals as the host lifetime receives them.
    public static readonly EventKey SignalBurst = Lifetime("SignalBurst");
    public static readonly EventKey SighupIgnored = Lifetime("SighupIgnored");
    public static readonly EventKey StoppingBeforeServing = Lifetime("StoppingBeforeServing");
    public static readonly EventKey IgnoredAfterShutdown = Lifetime("IgnoredAfterShutdown");

    // In-place upgrades.
    public static readonly EventKey UpgradeStarting = Upgrade("UpgradeStarting");
    public static readonly EventKey UpgradeHandedOver = Upgrade("UpgradeHandedOver");
    public static readonly EventKey UpgradeFailed = Upgrade("UpgradeFailed");
    public static readonly EventKey UpgradeAbandoned = Upgrade("UpgradeAbandoned");
    public static readonly EventKey UpgradeIgnored = Upgrade("UpgradeIgnored");
    public static readonly EventKey UpgradesRefused = EventKey.Of<UpgradeLifecycle>("UpgradesRefused");

    /// <summary>The host's "Application started" line, which Graceful's lifetime writes as ConsoleLifetime does.</summary>
    public static readonly EventKey ApplicationStarted = new("Microsoft.Hosting.Lifetime", 1);

    private static EventKey Sequence(string name) => EventKey.Of<ShutdownCoordinator>(name);

    private static EventKey Lifetime(string name) => EventKey.Of<GracefulHostLifetime>(name);

    private static EventKey Upgrade(string name) => EventKey.Of<UpgradeCoordinator>(name);
}
