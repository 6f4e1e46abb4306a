using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Graceful.Harness;

namespace Graceful.Drill.Target;

/// <summary>
/// The service under drill: a process the drill started from a command line, or one it attached to by pid. Either
/// way its exit is watched through a pidfd from the start, so the exit time is the kernel's, not when .NET noticed.
/// Only a started service has an exit code and a log to read.
/// </summary>
public sealed class ServiceTarget : IAsyncDisposable
{
    private ServiceTarget(int pid, Uri baseAddress, ServiceProcess? process)
    {
        Pid = pid;
        BaseAddress = baseAddress;
        Process = process;
        Exited = ExitWatch.Start(pid);
    }

    public int Pid { get; }

    /// <summary>Where the load goes; its host is an IP address (raw sockets connect to addresses, not names).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The started process, with its output; null when attached.</summary>
    public ServiceProcess? Process { get; }

    /// <summary>Completes with the <see cref="Stopwatch"/> timestamp of the exit.</summary>
    public Task<long> Exited { get; }

    /// <summary>
    /// Starts <paramref name="command"/> and waits until <paramref name="readyPath"/> answers at <paramref name="url"/>
    /// (any complete response), or, without a URL, until the service logs Kestrel's <c>Now listening on:</c> line.
    /// </summary>
    public static async Task<ServiceTarget> StartAsync(IReadOnlyList<string> command, Uri? url, string readyPath, TimeSpan timeout)
    {
        var process = await ServiceProcess.StartAsync(command[0], command.Skip(1), waitForListening: url is null);
        try
        {
            var address = ToLoopbackAddress(url ?? process.BaseAddress);
            await WaitUntilAnsweringAsync(address, readyPath, timeout, () => process.Output, () => process.ExitedAt != 0);
            return new ServiceTarget(process.Pid, address, process);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Attaches to a running service: checks the pid exists and waits until <paramref name="readyPath"/> answers.</summary>
    public static async Task<ServiceTarget> AttachAsync(int pid, Uri url, string readyPath, TimeSpan timeout)
    {
        try
        {
            using var existing = System.Diagnostics.Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            throw new DrillException($"No process with pid {pid}.");
        }

        var address = ToLoopbackAddress(url);
        await WaitUntilAnsweringAsync(address, readyPath, timeout, () => "", () => false);
        return new ServiceTarget(pid, address, null);
    }

    /// <summary>The exit code of a started service once it has exited (waits for its output to end); null when attached.</summary>
    public async Task<int?> ExitCodeAsync(TimeSpan timeout) => Process is null ? null : await Process.WaitForExitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }
    }

    /// <summary>Kestrel's wildcard and name forms as the loopback address a raw socket can connect to.</summary>
    public static Uri ToLoopbackAddress(Uri url)
    {
        var host = url.Host.Trim('[', ']');
        IPAddress address;
        if (host is "*" or "+" or "0.0.0.0" or "::" or "localhost")
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address!))
        {
            address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? throw new DrillException($"{host} has no IPv4 address.");
        }

        return new UriBuilder(url) { Host = address.ToString() }.Uri;
    }

    private static async Task WaitUntilAnsweringAsync(Uri address, string path, TimeSpan timeout, Func<string> output, Func<bool> exited)
    {
        var deadline = Stopwatch.StartNew();
        string last = "no attempt";
        while (deadline.Elapsed < timeout)
        {
            if (exited())
            {
                throw new DrillException($"The service exited before it answered GET {path}. Its output:\n{output()}");
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var connection = await RawHttpConnection.ConnectAsync(address, attempt.Token);
                await connection.SendGetAsync(path, "Connection: close\r\n");
                await connection.ReadResponseAsync(attempt.Token);
                return;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or FormatException)
            {
                last = e.Message;
            }

            await Task.Delay(50);
        }

        throw new DrillException($"{new Uri(address, path)} did not answer within {timeout.TotalSeconds:0.#} s (last: {last}). Output:\n{output()}");
    }
}
