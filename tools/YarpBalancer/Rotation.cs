using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace YarpBalancer;

/// <summary>
/// The proxy's in-memory configuration: one catch-all route to one cluster of destinations d1, d2, ... Taking a
/// destination out replaces the configuration without it (YARP keeps its pooled connections to the others).
/// </summary>
internal sealed class Rotation(ProxySettings settings)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _out = [];

    public InMemoryConfigProvider? Provider { get; set; }

    public IReadOnlyList<RouteConfig> Routes { get; } =
        [new RouteConfig { RouteId = "all", ClusterId = "app", Match = new RouteMatch { Path = "{**catch-all}" } }];

    public IReadOnlyList<ClusterConfig> Clusters()
    {
        var destinations = settings.Backends
            .Select((port, i) => (Id: $"d{i + 1}", Address: $"http://127.0.0.1:{port}/"))
            .Where(d => !_out.Contains(d.Id))
            .ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.Address }, StringComparer.Ordinal);
        var cluster = new ClusterConfig
        {
            ClusterId = "app",
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            Destinations = destinations,
        };
        if (settings.HealthPath is { } path)
        {
            cluster = cluster with
            {
                HealthCheck = new HealthCheckConfig
                {
                    Active = new ActiveHealthCheckConfig
                    {
                        Enabled = true,
                        Interval = settings.HealthInterval,
                        Timeout = TimeSpan.FromSeconds(2),
                        Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                        Path = path,
                    },
                },
                // One failed probe takes a destination out (YARP's default is 2), as HAProxy's "fall 1".
                Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" },
            };
        }

        return [cluster];
    }

    /// <summary>Takes destination <paramref name="id"/> out of rotation or puts it back; false for an unknown one.</summary>
    public bool Set(string id, string state)
    {
        if (!settings.Backends.Select((_, i) => $"d{i + 1}").Contains(id, StringComparer.Ordinal) || state is not ("in" or "out"))
        {
            return false;
        }

        lock (_gate)
        {
            if (state == "out")
            {
                _out.Add(id);
            }
            else
            {
                _out.Remove(id);
            }

            Provider!.Update(Routes, Clusters());
        }

        return true;
    }
}
