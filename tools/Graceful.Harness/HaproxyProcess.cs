using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Graceful.Harness;

/// <summary>
/// HAProxy in front of backend ports, as the rolling-restart scenario needs it: no health checks, no retries,
/// backend keep-alive reuse, and servers taken in and out of rotation through the runtime API (the admin socket),
/// so the balancer itself is never reloaded.
/// </summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    public const string Program = "/usr/sbin/haproxy";
    private readonly Process _process;
    private readonly string _folder;

    private HaproxyProcess(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    private string AdminSocket => Path.Combine(_folder, "admin.sock");

    /// <summary>Starts HAProxy on <paramref name="port"/> balancing over servers s1, s2, ... on <paramref name="backendPorts"/>.</summary>
    public static async Task<HaproxyProcess> StartAsync(int port, IReadOnlyList<int> backendPorts)
    {
        var folder = Directory.CreateTempSubdirectory("graceful-haproxy-").FullName;
        var servers = string.Join('\n', backendPorts.Select((p, i) => $"  server s{i + 1} 127.0.0.1:{p}"));
        var config = $"""
            global
              stats socket {folder}/admin.sock mode 600 level admin
              maxconn 4096
            defaults
              mode http
              timeout connect 2s
              timeout client 30s
              timeout server 30s
              retries 0
              option http-keep-alive
              http-reuse always
            frontend web
              bind 127.0.0.1:{port}
              default_backend app
            backend app
              balance roundrobin
            {servers}
            """;
        var configPath = Path.Combine(folder, "haproxy.cfg");
        await File.WriteAllTextAsync(configPath, config + "\n"); // HAProxy rejects a last line without LF
        var process = Process.Start(new ProcessStartInfo(Program, ["-db", "-f", configPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var haproxy = new HaproxyProcess(process, folder, port);
        for (var attempt = 0; !File.Exists(haproxy.AdminSocket) || !await CanConnectAsync(port); attempt++)
        {
            if (attempt == 100 || process.HasExited)
            {
                await haproxy.DisposeAsync();
                throw new InvalidOperationException($"HAProxy did not start:\n{string.Join('\n', output)}\n{config}");
            }

            await Task.Delay(50);
        }

        return haproxy;
    }

    /// <summary>Runtime API: <c>set server app/{server} state {state}</c> (ready, drain or maint).</summary>
    public async Task SetServerStateAsync(string server, string state)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(AdminSocket));
        await socket.SendAsync(Encoding.ASCII.GetBytes($"set server app/{server} state {state}\n"));
        var buffer = new byte[1024];
        var answer = Encoding.ASCII.GetString(buffer, 0, await socket.ReceiveAsync(buffer));
        if (answer.Trim().Length > 0)
        {
            throw new InvalidOperationException($"HAProxy refused 'set server app/{server} state {state}': {answer}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
