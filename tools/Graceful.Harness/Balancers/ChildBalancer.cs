using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Graceful.Harness;

/// <summary>
/// A balancer program run as a child process: its output read line by line (request-log lines parsed into
/// <see cref="Log"/>, the rest kept for diagnostics), started once its port accepts, killed at disposal.
/// </summary>
public abstract class ChildBalancer : IBalancer
{
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    protected ChildBalancer(int port, BalancerSetup setup, string folder)
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Setup = setup;
        Folder = folder;
    }

    public Uri BaseAddress { get; }

    public BalancerSetup Setup { get; }

    public BalancerLog Log { get; } = new();

    public string Output => string.Join('\n', _output);

    /// <summary>A temporary folder of its own (configuration, state), removed at disposal.</summary>
    protected string Folder { get; }

    public abstract Task TakeOutAsync(int instance);

    public abstract Task PutBackAsync(int instance);

    public virtual Task<IReadOnlyList<long>?> ConnectionsOpenedAsync() => Task.FromResult<IReadOnlyList<long>?>(null);

    /// <summary>The request a line of its log names, or null for any other line.</summary>
    protected abstract BalancerRequest? TryParseRequest(string line);

    protected async Task StartProcessAsync(ProcessStartInfo info, string what)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; !await CanConnectAsync(BaseAddress.Port); attempt++)
        {
            // Up to 30 s: a .NET proxy's first start on a loaded machine is slow.
            if (attempt == 600 || _process.HasExited)
            {
                throw new InvalidOperationException($"{what} did not start:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (TryParseRequest(line) is { } request)
        {
            Log.Add(request);
        }
        else
        {
            _output.Enqueue(line);
        }
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
