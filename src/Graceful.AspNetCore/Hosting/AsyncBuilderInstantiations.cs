using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// For <see cref="ShutdownPathWarmup"/>: the async method builder's code instantiated over one of Graceful's async state
/// machines. Compiling the state machine's MoveNext is not enough: the builder's <c>Start&lt;TStateMachine&gt;</c>,
/// <c>AwaitUnsafeOnCompleted&lt;TAwaiter, TStateMachine&gt;</c> and the box that holds the state machine once it awaits
/// are generic methods and types compiled per state machine (a struct in a Release build) when first used, which on the
/// shutdown path is after the signal. Found by reflection over the state machine's own fields, so nothing is listed by
/// hand; what the runtime's internals do not offer is skipped.
/// </summary>
internal static class AsyncBuilderInstantiations
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>Prepares the builder code for <paramref name="stateMachine"/>; returns how many methods were prepared.</summary>
    [RequiresDynamicCode("Instantiates generic methods over the state machine; called only where code is compiled at run time.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2060", Justification = "Warm-up only: what trimming removed is not needed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Warm-up only: what trimming removed is not needed.")]
    public static int Prepare(Type stateMachine)
    {
        var fields = stateMachine.GetFields(Declared);
        if (fields.FirstOrDefault(f => f.Name == "<>t__builder")?.FieldType is not { } builder)
        {
            return 0;
        }

        // The awaiters the state machine holds between its awaits: one field per awaiter type.
        Type[] awaiters = [.. fields.Where(f => f.Name.StartsWith("<>u__", StringComparison.Ordinal) && f.FieldType != typeof(object)).Select(f => f.FieldType).Distinct()];
        var result = builder.IsGenericType ? builder.GetGenericArguments()[0] : VoidTaskResult;
        var taskBuilder = typeof(AsyncTaskMethodBuilder<>).MakeGenericType(result ?? typeof(object));
        var core = Type.GetType("System.Runtime.CompilerServices.AsyncMethodBuilderCore");

        var prepared = 0;
        foreach (var type in new[] { builder, taskBuilder, core })
        {
            if (type is null)
            {
                continue;
            }

            foreach (var method in type.GetMethods(Declared).Where(m => m.IsGenericMethodDefinition && UsedPerStateMachine.Contains(m.Name)))
            {
                foreach (var closed in Close(method, stateMachine, awaiters))
                {
                    prepared += ShutdownPathWarmup.PrepareMethod(closed);
                }
            }
        }

        // The box the state machine moves into at its first await that does not complete at once.
        if (result is not null && typeof(AsyncTaskMethodBuilder<>).GetNestedType("AsyncStateMachineBox`1", BindingFlags.NonPublic) is { } box)
        {
            var closedBox = box.MakeGenericType(result, stateMachine);
            foreach (var method in closedBox.GetMethods(Declared).Where(m => UsedPerBox.Contains(m.Name)).Cast<MethodBase>().Concat(closedBox.GetConstructors(Declared)))
            {
                prepared += ShutdownPathWarmup.PrepareMethod(method);
            }

            RuntimeHelpers.RunClassConstructor(closedBox.TypeHandle);
        }

        return prepared;
    }

    // What an async method's first awaits that do not complete at once run, per state machine; the builder's other
    // generic methods (AwaitOnCompleted for awaiters that are not ICriticalNotifyCompletion, ...) go unused here.
    private static readonly HashSet<string> UsedPerStateMachine = ["Start", "AwaitUnsafeOnCompleted", "GetStateMachineBox"];
    private static readonly HashSet<string> UsedPerBox = ["MoveNext", "ExecutionContextCallback", "ClearStateUponCompletion"];

    // Task's own result type for a builder without one; AsyncTaskMethodBuilder<VoidTaskResult> holds their boxes.
    private static Type? VoidTaskResult { get; } = Type.GetType("System.Threading.Tasks.VoidTaskResult");

    // Start<TStateMachine>, SetStateMachine..., and AwaitUnsafeOnCompleted<TAwaiter, TStateMachine> for each awaiter held.
    [RequiresDynamicCode("Instantiates generic methods.")]
    [UnconditionalSuppressMessage("Trimming", "IL2060", Justification = "Warm-up only: the builder's generic methods have no trimming requirement on their arguments.")]
    private static IEnumerable<MethodInfo> Close(MethodInfo method, Type stateMachine, Type[] awaiters)
    {
        var parameters = method.GetGenericArguments();
        IEnumerable<Type[]> closings = parameters.Length switch
        {
            1 when parameters[0].Name == "TStateMachine" => [[stateMachine]],
            2 when parameters[0].Name == "TAwaiter" && parameters[1].Name == "TStateMachine" => awaiters.Select(a => new[] { a, stateMachine }),
            _ => [],
        };
        foreach (var arguments in closings)
        {
            MethodInfo? closed = null;
            try
            {
                closed = method.MakeGenericMethod(arguments);
            }
            catch (ArgumentException)
            {
                // A constraint the arguments do not meet (e.g. ICriticalNotifyCompletion): not the one this state machine uses.
            }

            if (closed is not null)
            {
                yield return closed;
            }
        }
    }
}
