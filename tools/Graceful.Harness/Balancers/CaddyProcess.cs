using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Graceful.Harness;

/// <summary>
/// Caddy (Debian's caddy 2.6) in front of backend ports, Caddy's default random selection, no retries, removing an
/// instance by its own
/// active health check of the readiness endpoint every 500 ms. Not <c>lb_policy round_robin</c>: with one upstream
/// down, concurrent requests advance its shared counter between each other's tries, so a request can find only the
/// down upstream twice and get <c>503 no upstreams available</c> while the other is healthy (measured: 1-4 per restart). Never reloaded: a config reload through Caddy's admin
/// API drops client connections by itself. Its access log (JSON on standard output) names the upstream of each
/// request through a response header set from <c>{http.reverse_proxy.upstream.hostport}</c>. The site matches any Host
/// (the load sends <c>Host: test</c>), bound to loopback.
/// </summary>
public sealed class CaddyProcess : ChildBalancer
{
    public const string Program = "/usr/bin/caddy";
    private readonly IReadOnlyList<int> _backendPorts;

    private CaddyProcess(int port, IReadOnlyList<int> backendPorts, string folder, string healthPath)
        : base(port, new BalancerSetup(BalancerKind.Caddy) { HealthPath = healthPath }, folder) => _backendPorts = backendPorts;

    public static async Task<CaddyProcess> StartAsync(int port, IReadOnlyList<int> backendPorts, string healthPath)
    {
        var folder = Directory.CreateTempSubdirectory("graceful-caddy-").FullName;
        var upstreams = string.Join(' ', backendPorts.Select(p => $"127.0.0.1:{p}"));
        var config = $$"""
            {
            	admin off
            	auto_https off
            }
            http://:{{port}} {
            	bind 127.0.0.1
            	log {
            		output stdout
            		format json
            	}
            	reverse_proxy {{upstreams}} {
            		health_uri {{healthPath}}
            		health_interval 500ms
            		health_timeout 2s
            		header_down X-Upstream {http.reverse_proxy.upstream.hostport}
            	}
            }
            """;
        var configPath = Path.Combine(folder, "Caddyfile");
        await File.WriteAllTextAsync(configPath, config + "\n");
        var caddy = new CaddyProcess(port, backendPorts, folder, healthPath);
        var info = new ProcessStartInfo(Program, ["run", "--config", configPath, "--adapter", "caddyfile"]);
        // Its state (autosave, certificates) in the temporary folder, not the user's home.
        foreach (var variable in (string[])["HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"])
        {
            info.Environment[variable] = folder;
        }

        try
        {
            await caddy.StartProcessAsync(info, "Caddy");
        }
        catch
        {
            await caddy.DisposeAsync();
            throw;
        }

        return caddy;
    }

    public override Task TakeOutAsync(int instance) => Task.CompletedTask;

    public override Task PutBackAsync(int instance) => Task.CompletedTask;

    // An access-log entry is written when the response is done: sent at ts - duration.
    protected override BalancerRequest? TryParseRequest(string line)
    {
        if (!line.Contains("\"http.log.access", StringComparison.Ordinal))
        {
            return null;
        }

        using var entry = JsonDocument.Parse(line);
        var root = entry.RootElement;
        var sent = root.GetProperty("ts").GetDouble() - root.GetProperty("duration").GetDouble();
        var instance = -1;
        if (root.TryGetProperty("resp_headers", out var headers) && headers.TryGetProperty("X-Upstream", out var upstream))
        {
            var port = int.Parse(upstream[0].GetString()!.Split(':')[^1], CultureInfo.InvariantCulture);
            instance = _backendPorts.ToList().IndexOf(port);
        }

        return new BalancerRequest((long)Math.Round(sent * 1000), instance, root.GetProperty("status").GetInt32());
    }
}
