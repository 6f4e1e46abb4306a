using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Graceful.AspNetCore.Diagnostics.Logging;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// Under a JIT runtime, compiles Graceful's shutdown path once the application has started, on a background thread of
/// low priority, so that a stop does not spend its first milliseconds compiling it, then rehearses the shutdown's log
/// lines (<see cref="LogRehearsal"/>). Moves work off the exit path; skips nothing. A NativeAOT build has everything
/// compiled already, but each generic virtual call (the logging pipeline's <c>Log&lt;TState&gt;</c>, one per logger
/// type and message shape) is resolved by the runtime's type loader at its first call: up to about 1 ms of CPU at the
/// stop (docs/benchmarks.md). There only the rehearsal runs, so that those lookups happen before the signal.
/// </summary>
/// <remarks>
/// Nothing here lists types by hand: every type of this assembly is prepared except those of
/// <see cref="StartupOnlyNamespaces"/>, with their nested types (closures, async state machines) and, for each async
/// state machine, the async builder's generic methods and box instantiated over it, which the runtime would otherwise
/// compile at the first await after the signal. ShutdownJitTests counts what is still compiled after a SIGTERM.
/// </remarks>
internal static partial class ShutdownPathWarmup
{
    /// <summary>Namespaces whose code runs only at start-up (option binding and validation): not worth compiling twice.</summary>
    private static readonly string[] StartupOnlyNamespaces = ["Graceful.AspNetCore.Configuration"];

    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>
    /// Starts the warm-up; <paramref name="rehearseLogs"/> then rehearses the shutdown's log lines (see
    /// <see cref="LogRehearsal"/>), and <paramref name="logger"/> gets one Debug line when it is done.
    /// </summary>
    public static void Start(Action rehearseLogs, ILogger logger) => Start(rehearseLogs, logger, RuntimeFeature.IsDynamicCodeCompiled);

    /// <summary>As above; <paramref name="compile"/> false is the NativeAOT way: the rehearsal alone.</summary>
    internal static void Start(Action rehearseLogs, ILogger logger, bool compile) =>
        new Thread(() => WarmUp(rehearseLogs, logger, compile)) { IsBackground = true, Priority = ThreadPriority.BelowNormal, Name = "Graceful warm-up" }.Start();

    // NativeAOT (compile false): nothing to compile, only the logging's generic virtual calls to resolve.
    private static void WarmUp(Action rehearseLogs, ILogger logger, bool compile)
    {
        var started = Stopwatch.GetTimestamp();
        var prepared = 0;
        try
        {
            if (compile)
            {
                foreach (var type in ShutdownPathTypes())
                {
                    prepared += Prepare(type);
                }

                foreach (var type in SharedInstantiations())
                {
                    prepared += Prepare(type);
                }
            }

            rehearseLogs();
            var elapsed = new LoggedDuration(Stopwatch.GetElapsedTime(started));
            LogWarmedUp(logger, elapsed, prepared);
        }
#pragma warning disable CA1031 // Best effort on a thread of its own: whatever fails here is compiled (ahead of time: resolved) on first call, as without it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogWarmupFailed(logger, prepared, ex);
        }
    }

    /// <summary>Every top-level, non-generic type of this assembly outside <see cref="StartupOnlyNamespaces"/>.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Warm-up only: a type trimming removed is not on the path.")]
    internal static IEnumerable<Type> ShutdownPathTypes() =>
        TopLevelTypes().Where(t => !t.ContainsGenericParameters && t != typeof(ShutdownPathWarmup));

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Warm-up only: a type trimming removed is not on the path.")]
    private static IEnumerable<Type> TopLevelTypes() =>
        typeof(ShutdownPathWarmup).Assembly.GetTypes().Where(t =>
            !t.IsNested && !t.IsInterface
            && !StartupOnlyNamespaces.Any(n => t.Namespace is { } ns && (ns == n || ns.StartsWith(n + ".", StringComparison.Ordinal))));

    /// <summary>
    /// Every top-level generic type of this assembly closed over <see cref="object"/>: the one compiled code that all its
    /// instantiations over reference types share. Among them the wrappers the compiler emits into this assembly for
    /// collection expressions (<c>&lt;&gt;z__ReadOnlyList&lt;T&gt;</c>), which ReadyToRun cannot have compiled ahead.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Start runs the warm-up only where code is compiled at run time.")]
    internal static IEnumerable<Type> SharedInstantiations()
    {
        foreach (var definition in TopLevelTypes().Where(t => t.IsGenericTypeDefinition))
        {
            Type closed;
            try
            {
                closed = definition.MakeGenericType([.. definition.GetGenericArguments().Select(_ => typeof(object))]);
            }
            catch (ArgumentException)
            {
                // A constraint object does not meet: no shared instantiation to prepare.
                continue;
            }

            yield return closed;
        }
    }

    // Only runs where code is compiled at run time; a trimmed member is simply not prepared.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2059", Justification = "Warm-up only: a static constructor trimming removed is not needed.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Start runs the warm-up only where code is compiled at run time.")]
    private static int Prepare(Type type)
    {
        if (type.ContainsGenericParameters)
        {
            return 0;
        }

        var prepared = 0;
        foreach (var method in type.GetMethods(Declared).Where(m => !m.IsAbstract && !m.ContainsGenericParameters).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            prepared += PrepareMethod(method);
        }

        if (typeof(IAsyncStateMachine).IsAssignableFrom(type))
        {
            prepared += AsyncBuilderInstantiations.Prepare(type);
        }

        // Nested types: async state machines, closures, and the logging generator's message holders.
        foreach (var nested in type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic))
        {
            prepared += Prepare(nested);
        }

        RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        return prepared;
    }

    /// <summary>Compiles <paramref name="method"/> (closed over its type's and its own type arguments, if any); 1 if it could.</summary>
    internal static int PrepareMethod(MethodBase method)
    {
        try
        {
            // Without this, PrepareMethod leaves a virtual method alone once its type's slots are in use (an interface
            // implementation such as StopAsync after the host called StartAsync): asking for its entry point first
            // makes the runtime compile it.
            _ = method.MethodHandle.GetFunctionPointer();
            RuntimeHelpers.PrepareMethod(method.MethodHandle, InstantiationOf(method));
            return 1;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or BadImageFormatException or InvalidOperationException or MemberAccessException)
        {
            // A method the runtime cannot prepare ahead (e.g. an intrinsic) is compiled when first called, as before.
            return 0;
        }
    }

    private static RuntimeTypeHandle[]? InstantiationOf(MethodBase method)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : [];
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : [];
        return typeArguments.Length + methodArguments.Length == 0 ? null : [.. typeArguments.Concat(methodArguments).Select(t => t.TypeHandle)];
    }

    [LoggerMessage(EventId = 95, EventName = "ShutdownPathWarmedUp", Level = LogLevel.Debug,
        Message = "Shutdown path compiled ahead in {Elapsed}: {Methods} methods prepared and the shutdown's log lines rehearsed")]
    private static partial void LogWarmedUp(ILogger logger, LoggedDuration elapsed, int methods);

    [LoggerMessage(EventId = 96, EventName = "ShutdownPathWarmupFailed", Level = LogLevel.Debug,
        Message = "Shutdown path compiled ahead only in part ({Methods} methods prepared): the rest compiles on its first call")]
    private static partial void LogWarmupFailed(ILogger logger, int methods, Exception exception);
}
