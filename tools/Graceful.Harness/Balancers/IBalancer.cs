namespace Graceful.Harness;

/// <summary>
/// A load balancer started as a child process in front of instances 0, 1, ... on loopback ports, logging every request
/// it forwards (<see cref="Log"/>). Disposal stops it.
/// </summary>
public interface IBalancer : IAsyncDisposable
{
    /// <summary>Where clients go.</summary>
    Uri BaseAddress { get; }

    BalancerSetup Setup { get; }

    /// <summary>The requests it forwarded, from its own log.</summary>
    BalancerLog Log { get; }

    /// <summary>Its output other than the request log (start-up, warnings), for diagnostics.</summary>
    string Output { get; }

    /// <summary>Stops routing to <paramref name="instance"/> (told from outside); nothing for a balancer that probes.</summary>
    Task TakeOutAsync(int instance);

    /// <summary>Routes to <paramref name="instance"/> again; nothing for a balancer that probes.</summary>
    Task PutBackAsync(int instance);

    /// <summary>How many connections it has opened to each instance so far, in instance order; null when it does not say.</summary>
    Task<IReadOnlyList<long>?> ConnectionsOpenedAsync();
}
