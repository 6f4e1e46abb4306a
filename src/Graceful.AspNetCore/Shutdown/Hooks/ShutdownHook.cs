namespace Graceful.AspNetCore;

/// <summary>
/// Work to do after the drain and before the host stops: flush a buffer, close a pool. Hooks run one at a
/// time in registration order; each gets a token that fires at its timeout, after which it is abandoned.
/// </summary>
/// <param name="Name">Names the hook in logs.</param>
/// <param name="Callback">The work; its token fires when its timeout expires.</param>
/// <param name="Timeout">This hook's timeout; null takes <see cref="GracefulOptions.HookTimeout"/>.</param>
public sealed record ShutdownHook(string Name, Func<IServiceProvider, CancellationToken, Task> Callback, TimeSpan? Timeout = null);
