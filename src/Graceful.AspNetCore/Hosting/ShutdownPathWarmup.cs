using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Diagnostics.Metrics;
using Graceful.AspNetCore.Diagnostics.Reporting;
using Graceful.AspNetCore.Platform.Files;
using Graceful.AspNetCore.Platform.Signals;
using Graceful.AspNetCore.Platform.Systemd;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Shutdown.Hooks;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Listeners;
using Graceful.AspNetCore.Transport.Requests;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// Under a JIT runtime, compiles Graceful's shutdown path once the application has started, on a background thread of
/// low priority, so that a stop does not spend its first milliseconds compiling it (about 120 methods, state machines
/// and the logging classes' static set-up), then rehearses the shutdown's log lines (<see cref="LogRehearsal"/>: about
/// 50 more methods of the logging generics). Moves work off the exit path; skips nothing. A NativeAOT build has
/// everything compiled already and does nothing here.
/// </summary>
internal static class ShutdownPathWarmup
{
    private static readonly Type[] ShutdownPath =
    [
        typeof(GracefulHostLifetime), typeof(ShutdownCoordinator), typeof(ListenerRegistry), typeof(DrainableListener),
        typeof(ConnectionTracker), typeof(TrackedConnection), typeof(ShutdownTokens), typeof(ShutdownHookRunner), typeof(HookCounts),
        typeof(ShutdownEvents), typeof(ShutdownPhases), typeof(ShutdownResult), typeof(RequestJournal), typeof(ServerStop),
        typeof(ServiceAnnouncer), typeof(ShutdownRecorder), typeof(ShutdownReport), typeof(ShutdownReportWriter), typeof(GracefulMetrics),
        typeof(SystemdNotifier), typeof(StopTimeoutExtension), typeof(PidFile), typeof(LoggedDuration), typeof(GracefulDuration), typeof(KeptAndBusy),
        typeof(DrainResult), typeof(ShutdownTrigger), typeof(DrainStart), typeof(PhaseTiming), typeof(ConnectionCounts), typeof(Http2GoAways),
        typeof(RequestTotals), typeof(ReportedRequest), typeof(ProcessSignals), typeof(RepeatedSignals), typeof(StartupSignal),
        typeof(AcceptBacklog), typeof(FaultTolerantLogger),
    ];

    /// <summary>Starts the warm-up; <paramref name="rehearseLogs"/> then rehearses the shutdown's log lines (see <see cref="LogRehearsal"/>).</summary>
    public static void Start(Action rehearseLogs)
    {
        if (RuntimeFeature.IsDynamicCodeCompiled)
        {
            new Thread(() => PrepareAll(rehearseLogs)) { IsBackground = true, Priority = ThreadPriority.BelowNormal, Name = "Graceful warm-up" }.Start();
        }
    }

    private static void PrepareAll(Action rehearseLogs)
    {
        try
        {
            foreach (var type in ShutdownPath)
            {
                Prepare(type);
            }

            rehearseLogs();
        }
#pragma warning disable CA1031 // Best effort on a thread of its own: whatever fails here is compiled on first call, as without it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    // Only runs where code is compiled at run time; a trimmed member is simply not prepared.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2059", Justification = "Warm-up only: a static constructor trimming removed is not needed.")]
    private static void Prepare(Type type)
    {
        if (type.ContainsGenericParameters)
        {
            return;
        }

        const BindingFlags declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        foreach (var method in type.GetMethods(declared).Where(m => !m.IsAbstract && !m.ContainsGenericParameters).Cast<MethodBase>().Concat(type.GetConstructors(declared)))
        {
            try
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or BadImageFormatException)
            {
                // A method the runtime cannot prepare ahead (e.g. an intrinsic) is compiled when first called, as before.
            }
        }

        // Nested types: async state machines, closures, and the logging generator's message holders.
        foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        {
            Prepare(nested);
        }

        RuntimeHelpers.RunClassConstructor(type.TypeHandle);
    }
}
