namespace Graceful.Harness;

/// <summary>Which balancer stands in front of the instances, and how it learns that one is stopping.</summary>
public enum BalancerKind
{
    /// <summary>HAProxy, told through its runtime API (<c>set server ... state maint</c>) <c>lag</c> after the SIGTERM.</summary>
    Haproxy,

    /// <summary>
    /// HAProxy in <c>mode tcp</c>, told through its runtime API: each client connection is one connection to an instance,
    /// so clients that reconnect reach the instances (in HTTP mode HAProxy's own connection pool absorbs them).
    /// </summary>
    HaproxyTcp,

    /// <summary>HAProxy removing the instance by its own health check of the readiness endpoint (inter 500ms fall 1 rise 1).</summary>
    HaproxyHealthCheck,

    /// <summary>Caddy (Debian's caddy 2.6) with active health checks of the readiness endpoint every 500 ms.</summary>
    Caddy,

    /// <summary>YARP (tools/YarpBalancer) whose in-memory configuration drops the destination <c>lag</c> after the SIGTERM.</summary>
    Yarp,

    /// <summary>YARP with its active health checks of the readiness endpoint (every 500 ms, one failure takes it out).</summary>
    YarpHealthCheck,
}

/// <summary>HAProxy's <c>http-reuse</c> mode: how it shares idle backend connections between client sessions.</summary>
public enum HaproxyReuse
{
    /// <summary>HAProxy's default: a client session's first request gets a connection of its own, later ones may share.</summary>
    Safe,
    Always,
    Never,
}

/// <summary>
/// One balancer setup of the matrix. Names: <c>haproxy-safe</c>, <c>haproxy-always</c>, <c>haproxy-never</c>, <c>haproxy-tcp</c> (runtime
/// API), <c>haproxy-check</c> (health check, reuse safe), <c>caddy</c>, <c>yarp</c> (configuration), <c>yarp-check</c>.
/// </summary>
public sealed record BalancerSetup(BalancerKind Kind, HaproxyReuse Reuse = HaproxyReuse.Safe)
{
    /// <summary>What the project's harness used before the matrix: HAProxy, <c>http-reuse always</c>, runtime API.</summary>
    public static BalancerSetup Default { get; } = new(BalancerKind.Haproxy, HaproxyReuse.Always);

    public static IReadOnlyList<string> Names { get; } = ["haproxy-safe", "haproxy-always", "haproxy-never", "haproxy-check", "haproxy-tcp", "caddy", "yarp", "yarp-check"];

    /// <summary>The readiness endpoint the health-checking balancers probe.</summary>
    public string HealthPath { get; init; } = "/healthz/ready";

    /// <summary>The YARP proxy's program (YarpBalancer.dll); found beside the running program or in the repository when null.</summary>
    public string? YarpProgram { get; init; }

    /// <summary>True when the harness tells the balancer (after the lag); false when the balancer finds out by probing.</summary>
    public bool ToldFromOutside => Kind is BalancerKind.Haproxy or BalancerKind.HaproxyTcp or BalancerKind.Yarp;

    public string Name => Kind switch
    {
        BalancerKind.Haproxy => $"haproxy-{Reuse.ToString().ToLowerInvariant()}",
        BalancerKind.HaproxyHealthCheck => "haproxy-check",
        BalancerKind.HaproxyTcp => "haproxy-tcp",
        BalancerKind.Caddy => "caddy",
        BalancerKind.Yarp => "yarp",
        _ => "yarp-check",
    };

    /// <summary>A one-line description for reports and tables.</summary>
    public string Description => Kind switch
    {
        BalancerKind.Haproxy => $"HAProxy, http-reuse {Reuse.ToString().ToLowerInvariant()}, told through its runtime API",
        BalancerKind.HaproxyHealthCheck => "HAProxy, http-reuse safe, own health check of the readiness endpoint (inter 500ms fall 1)",
        BalancerKind.HaproxyTcp => "HAProxy in mode tcp (one instance connection per client connection), told through its runtime API",
        BalancerKind.Caddy => "Caddy 2.6, active health checks of the readiness endpoint (500 ms)",
        BalancerKind.Yarp => "YARP, in-memory configuration changed through its admin endpoint",
        _ => "YARP, active health checks of the readiness endpoint (500 ms, threshold 1)",
    };

    public static BalancerSetup Parse(string name) => name switch
    {
        "haproxy" or "haproxy-safe" => new(BalancerKind.Haproxy, HaproxyReuse.Safe),
        "haproxy-always" => new(BalancerKind.Haproxy, HaproxyReuse.Always),
        "haproxy-never" => new(BalancerKind.Haproxy, HaproxyReuse.Never),
        "haproxy-check" => new(BalancerKind.HaproxyHealthCheck),
        "haproxy-tcp" => new(BalancerKind.HaproxyTcp),
        "caddy" => new(BalancerKind.Caddy),
        "yarp" => new(BalancerKind.Yarp),
        "yarp-check" => new(BalancerKind.YarpHealthCheck),
        _ => throw new ArgumentException($"Unknown balancer '{name}': use one of {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Why this setup cannot run on this machine (a missing program), or null when it can.</summary>
    public string? Missing() => Kind switch
    {
        BalancerKind.Haproxy or BalancerKind.HaproxyHealthCheck or BalancerKind.HaproxyTcp when !File.Exists(HaproxyProcess.Program) =>
            $"{HaproxyProcess.Program} is missing: install Debian's haproxy package",
        BalancerKind.Caddy when !File.Exists(CaddyProcess.Program) => $"{CaddyProcess.Program} is missing: install Debian's caddy package",
        _ => null,
    };

    /// <summary>Starts this balancer on a free loopback port in front of <paramref name="backendPorts"/> (instances 0, 1, ...).</summary>
    public async Task<IBalancer> StartAsync(IReadOnlyList<int> backendPorts) => Kind switch
    {
        BalancerKind.Haproxy => await HaproxyProcess.StartAsync(FreePorts.Next(), backendPorts, Reuse),
        BalancerKind.HaproxyHealthCheck => await HaproxyProcess.StartAsync(FreePorts.Next(), backendPorts, Reuse, HealthPath),
        BalancerKind.HaproxyTcp => await HaproxyProcess.StartAsync(FreePorts.Next(), backendPorts, tcp: true),
        BalancerKind.Caddy => await CaddyProcess.StartAsync(FreePorts.Next(), backendPorts, HealthPath),
        BalancerKind.Yarp => await YarpProcess.StartAsync(YarpProgram ?? YarpProcess.FindProgram(), FreePorts.Next(), backendPorts, healthPath: null),
        _ => await YarpProcess.StartAsync(YarpProgram ?? YarpProcess.FindProgram(), FreePorts.Next(), backendPorts, HealthPath),
    };
}
