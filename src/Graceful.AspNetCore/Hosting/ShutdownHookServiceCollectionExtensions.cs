using System.Diagnostics.CodeAnalysis;
using Graceful.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ShutdownHook"/>s.</summary>
public static class ShutdownHookServiceCollectionExtensions
{
    /// <summary>
    /// Adds a hook that runs after the drain, after the hooks registered before it, within
    /// <paramref name="timeout"/> (or <see cref="GracefulOptions.HookTimeout"/>). It does not run when the
    /// process is killed without a signal Graceful handles.
    /// </summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The two differ by the hook's delegate type, which picks the overload; the optional timeout reads best at the call.")]
    public static IServiceCollection AddShutdownHook(this IServiceCollection services, string name,
        Func<IServiceProvider, CancellationToken, Task> hook, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(hook);
        if (timeout is { } t && t <= TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), t, $"The timeout of shutdown hook '{name}' must be positive or infinite.");
        }

        services.AddSingleton(new ShutdownHook(name, hook, timeout));
        return services;
    }

    /// <summary>Adds a hook that needs no services; see <see cref="AddShutdownHook(IServiceCollection, string, Func{IServiceProvider, CancellationToken, Task}, TimeSpan?)"/>.</summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The two differ by the hook's delegate type, which picks the overload; the optional timeout reads best at the call.")]
    public static IServiceCollection AddShutdownHook(this IServiceCollection services, string name,
        Func<CancellationToken, Task> hook, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return services.AddShutdownHook(name, (_, token) => hook(token), timeout);
    }
}
