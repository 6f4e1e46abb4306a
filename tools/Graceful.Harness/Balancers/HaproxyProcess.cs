using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Graceful.Harness;

/// <summary>
/// HAProxy in front of backend ports: no retries, no redispatch, backend keep-alive reuse as asked
/// (<c>http-reuse safe|always|never</c>). Either the harness takes servers in and out of rotation through the runtime
/// API (the admin socket), so the balancer itself is never reloaded, or, with a health path, HAProxy's own health
/// check decides (<c>check inter 500ms fall 1 rise 1</c>). Every request is logged on standard output
/// (<c>log stdout format raw</c>) with the date HAProxy received it and its timings, from which <see cref="ChildBalancer.Log"/>
/// takes when it was sent to which server. In <c>mode tcp</c> each client connection is one backend connection and its
/// line is logged once that connection is made (<c>option logasap</c>), so a client's reconnect reaches an instance as
/// a new connection, as behind an L4 balancer. The runtime API also counts the connections it opened to each server
/// (<see cref="ConnectionsOpenedAsync"/>).
/// </summary>
public sealed class HaproxyProcess : ChildBalancer
{
    public const string Program = "/usr/sbin/haproxy";

    private HaproxyProcess(int port, BalancerSetup setup, string folder)
        : base(port, setup, folder)
    {
    }

    private string AdminSocket => Path.Combine(Folder, "admin.sock");

    /// <summary>
    /// Starts HAProxy on <paramref name="port"/> balancing over servers s1, s2, ... on <paramref name="backendPorts"/>,
    /// with HAProxy's own health check of <paramref name="healthPath"/> when given.
    /// </summary>
    public static async Task<HaproxyProcess> StartAsync(int port, IReadOnlyList<int> backendPorts, HaproxyReuse reuse = HaproxyReuse.Always,
        string? healthPath = null, bool tcp = false)
    {
        var folder = Directory.CreateTempSubdirectory("graceful-haproxy-").FullName;
        var check = healthPath is null ? "" : " check inter 500ms fall 1 rise 1";
        var servers = string.Join('\n', backendPorts.Select((p, i) => $"  server s{i + 1} 127.0.0.1:{p}{check}"));
        var httpCheck = healthPath is null ? "" : $"  option httpchk GET {healthPath}";
        // The request log: the date HAProxy received the request (%tr, local time, ms), the server, the status, and
        // the times to receive it, to queue it and to connect (%TR %Tw %Tc), which together say when it was sent. In
        // mode tcp, one line per connection once it reaches its server: the accept date (%t), no status, no request time.
        var mode = tcp
            ? """
                  mode tcp
                  log global
                  option logasap
                  log-format "request %t %s - 0 %Tw %Tc %ts"
                """
            : $"""
                  mode http
                  log global
                  log-format "request %tr %s %ST %TR %Tw %Tc %tsc"
                """;
        var httpOnly = tcp ? "" : $"""
              option http-keep-alive
              http-reuse {reuse.ToString().ToLowerInvariant()}
            """;
        var config = $"""
            global
              stats socket {folder}/admin.sock mode 600 level admin
              maxconn 4096
              log stdout format raw local0
            defaults
            {mode}
              maxconn 4096
              timeout connect 2s
              timeout client 30s
              timeout server 30s
              retries 0
            {httpOnly}
            frontend web
              bind 127.0.0.1:{port}
              default_backend app
            backend app
              balance roundrobin
            {httpCheck}
            {servers}
            """;
        var configPath = Path.Combine(folder, "haproxy.cfg");
        await File.WriteAllTextAsync(configPath, config + "\n"); // HAProxy rejects a last line without LF
        var setup = tcp ? new BalancerSetup(BalancerKind.HaproxyTcp)
            : healthPath is null ? new BalancerSetup(BalancerKind.Haproxy, reuse)
            : new BalancerSetup(BalancerKind.HaproxyHealthCheck, reuse) { HealthPath = healthPath };
        var haproxy = new HaproxyProcess(port, setup, folder);
        try
        {
            await haproxy.StartProcessAsync(new ProcessStartInfo(Program, ["-db", "-f", configPath]), "HAProxy");
            // HAProxy binds a UNIX socket under a temporary name and renames it into place, so the admin socket can
            // appear just after the listeners accept; the runtime API needs it at once.
            if (!await haproxy.AdminSocketAppearsAsync(TimeSpan.FromSeconds(10)))
            {
                throw new InvalidOperationException($"HAProxy accepts but has no admin socket after 10 s:\n{haproxy.Output}\n{config}");
            }
        }
        catch
        {
            await haproxy.DisposeAsync();
            throw;
        }

        return haproxy;
    }

    private async Task<bool> AdminSocketAppearsAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!File.Exists(AdminSocket))
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    public override Task TakeOutAsync(int instance) => Setup.ToldFromOutside ? SetServerStateAsync($"s{instance + 1}", "maint") : Task.CompletedTask;

    public override Task PutBackAsync(int instance) => Setup.ToldFromOutside ? SetServerStateAsync($"s{instance + 1}", "ready") : Task.CompletedTask;

    /// <summary>Runtime API: <c>set server app/{server} state {state}</c> (ready, drain or maint).</summary>
    public async Task SetServerStateAsync(string server, string state)
    {
        var answer = await AskAsync($"set server app/{server} state {state}");
        if (answer.Trim().Length > 0)
        {
            throw new InvalidOperationException($"HAProxy refused 'set server app/{server} state {state}': {answer}");
        }
    }

    /// <summary>
    /// Runtime API <c>show stat</c>: the connections HAProxy has opened to each server s1, s2, ... (its <c>connect</c>
    /// counter, attempts included), in instance order.
    /// </summary>
    public override async Task<IReadOnlyList<long>?> ConnectionsOpenedAsync()
    {
        var lines = (await AskAsync("show stat")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var columns = lines[0].TrimStart('#', ' ').Split(',');
        int Column(string name) => Array.IndexOf(columns, name) is var i and >= 0 ? i : throw new InvalidOperationException($"HAProxy's 'show stat' has no {name} column: {lines[0]}");
        var (proxy, server, connect) = (Column("pxname"), Column("svname"), Column("connect"));
        return [.. lines.Skip(1).Select(l => l.Split(','))
            .Where(f => f[proxy] == "app" && f[server].StartsWith('s') && int.TryParse(f[server].AsSpan(1), CultureInfo.InvariantCulture, out _))
            .OrderBy(f => int.Parse(f[server].AsSpan(1), CultureInfo.InvariantCulture))
            .Select(f => long.Parse(f[connect], CultureInfo.InvariantCulture))];
    }

    // One command on the admin socket, which answers and closes.
    private async Task<string> AskAsync(string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(AdminSocket));
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"));
        var answer = new StringBuilder();
        var buffer = new byte[16 * 1024];
        for (int read; (read = await socket.ReceiveAsync(buffer)) > 0;)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return answer.ToString();
    }

    // "request 30/Nov/2026:00:36:07.947 s1 200 0 0 1 ----": received at %tr, sent %TR + %Tw + %Tc later (each -1 when
    // that step did not happen).
    protected override BalancerRequest? TryParseRequest(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length < 8 || parts[0] != "request"
            || !DateTime.TryParseExact(parts[1], "dd/MMM/yyyy:HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var received))
        {
            return null;
        }

        var after = parts[4..7].Sum(p => Math.Max(0, int.Parse(p, CultureInfo.InvariantCulture)));
        var instance = parts[2].StartsWith('s') && int.TryParse(parts[2].AsSpan(1), CultureInfo.InvariantCulture, out var n) ? n - 1 : -1;
        return new BalancerRequest(new DateTimeOffset(received).ToUnixTimeMilliseconds() + after, instance,
            int.TryParse(parts[3], CultureInfo.InvariantCulture, out var status) ? status : 0);
    }
}
