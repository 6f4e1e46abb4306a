using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Graceful.Harness;

/// <summary>
/// The YARP proxy of tools/YarpBalancer in front of backend ports (destinations d1, d2, ...), round robin, no
/// retries. Without a health path its in-memory configuration drops and restores destinations through its admin port;
/// with one, YARP's active health checks decide. It logs each request as <c>request UNIXMS dN STATUS</c>.
/// </summary>
public sealed class YarpProcess : ChildBalancer
{
    private readonly int _adminPort;

    private YarpProcess(int port, int adminPort, string folder, string? healthPath)
        : base(port, healthPath is null ? new BalancerSetup(BalancerKind.Yarp) : new BalancerSetup(BalancerKind.YarpHealthCheck) { HealthPath = healthPath }, folder) =>
        _adminPort = adminPort;

    /// <summary>YarpBalancer.dll beside the running program (a tool that ships it), else in the repository's build output.</summary>
    public static string FindProgram()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "YarpBalancer.dll");
        if (File.Exists(beside))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var bin = Path.Combine(dir.FullName, "tools", "YarpBalancer", "bin");
            if (Directory.Exists(bin) && Directory.GetFiles(bin, "YarpBalancer.dll", SearchOption.AllDirectories)
                    .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault() is { } built)
            {
                return built;
            }
        }

        throw new FileNotFoundException("YarpBalancer.dll not found: build tools/YarpBalancer (dotnet build tools/YarpBalancer).");
    }

    public static async Task<YarpProcess> StartAsync(string program, int port, IReadOnlyList<int> backendPorts, string? healthPath)
    {
        var folder = Directory.CreateTempSubdirectory("graceful-yarp-").FullName;
        var adminPort = FreePorts.Next();
        var yarp = new YarpProcess(port, adminPort, folder, healthPath);
        List<string> args = [program, "--port", $"{port}", "--admin-port", $"{adminPort}", "--backends", string.Join(',', backendPorts)];
        if (healthPath is not null)
        {
            args.AddRange(["--health-path", healthPath, "--health-interval-ms", "500"]);
        }

        var info = new ProcessStartInfo("dotnet", args) { WorkingDirectory = folder };
        info.Environment["DOTNET_NOLOGO"] = "1";
        try
        {
            await yarp.StartProcessAsync(info, "YARP");
        }
        catch
        {
            await yarp.DisposeAsync();
            throw;
        }

        return yarp;
    }

    public override Task TakeOutAsync(int instance) => Setup.ToldFromOutside ? SetAsync(instance, "out") : Task.CompletedTask;

    public override Task PutBackAsync(int instance) => Setup.ToldFromOutside ? SetAsync(instance, "in") : Task.CompletedTask;

    protected override BalancerRequest? TryParseRequest(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length != 4 || parts[0] != "request" || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var at))
        {
            return null;
        }

        var instance = parts[2].StartsWith('d') && int.TryParse(parts[2].AsSpan(1), CultureInfo.InvariantCulture, out var n) ? n - 1 : -1;
        return new BalancerRequest(at, instance, int.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    // A plain HTTP/1.0 POST on a raw socket: the harness needs no HttpClient for one line.
    private async Task SetAsync(int instance, string state)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, _adminPort);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /destinations/d{instance + 1}/{state} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"));
        var answer = new StringBuilder();
        var buffer = new byte[1024];
        for (int read; (read = await socket.ReceiveAsync(buffer)) > 0;)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        if (!answer.ToString().StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"YARP refused destination d{instance + 1} {state}: {answer}");
        }
    }
}
