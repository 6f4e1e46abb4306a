using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
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
    /// (any complete response), or, without a URL, until the service logs Kestrel's <c>Now listening on:</c> line and
    /// then answers there; each wait is bounded by <paramref name="timeout"/>. A command that cannot start, a service
    /// that exits first, or one not ready in time is a <see cref="DrillException"/> with the service's output as detail.
    /// </summary>
    public static async Task<ServiceTarget> StartAsync(IReadOnlyList<string> command, Uri? url, string readyPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // A --url that does not resolve is known before anything is started.
        var given = url is null ? null : ToLoopbackAddress(url);
        ServiceProcess process;
        try
        {
            process = await ServiceProcess.StartAsync(command[0], command.Skip(1), waitForListening: false);
        }
        catch (Win32Exception e)
        {
            throw new DrillException($"Cannot start the service '{command[0]}': {new Win32Exception(e.NativeErrorCode).Message}.");
        }

        try
        {
            var address = given ?? ToLoopbackAddress(await WaitForListeningAsync(process, timeout, cancellationToken));
            await WaitUntilAnsweringAsync(address, readyPath, timeout, process, cancellationToken);
            return new ServiceTarget(process.Pid, address, process);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Attaches to a running service: checks the pid exists and waits until <paramref name="readyPath"/> answers.</summary>
    public static async Task<ServiceTarget> AttachAsync(int pid, Uri url, string readyPath, TimeSpan timeout, CancellationToken cancellationToken)
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
        await WaitUntilAnsweringAsync(address, readyPath, timeout, null, cancellationToken);
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
            try
            {
                address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                    ?? throw new DrillException($"{url}: {host} has no IPv4 address.");
            }
            catch (SocketException e)
            {
                throw new DrillException($"{url}: cannot resolve {host} ({e.Message}).");
            }
        }
        else if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new DrillException($"{url}: the drill's load speaks IPv4; give an IPv4 address such as 127.0.0.1.");
        }

        return new UriBuilder(url) { Host = address.ToString() }.Uri;
    }

    /// <summary>The address of the service's first <c>Now listening on:</c> line; fails as soon as it exits without one.</summary>
    private static async Task<Uri> WaitForListeningAsync(ServiceProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var line = process.WaitForLineAsync(l => ServiceProcess.ListeningAddress(l) is not null, timeout);
        try
        {
            if (await Task.WhenAny(line, process.Exited).WaitAsync(cancellationToken) == line)
            {
                return ServiceProcess.ListeningAddress(await line)!;
            }
        }
        catch (TimeoutException)
        {
            throw new DrillException(string.Create(CultureInfo.InvariantCulture,
                $"The service did not say where it listens ('Now listening on: http://...') within {timeout.TotalSeconds:0.#} s (--startup-timeout); give --url if it logs otherwise."),
                OutputOf(process));
        }

        throw new DrillException($"The service exited{await ExitCodeText(process)} before it said where it listens ('Now listening on: http://...').", OutputOf(process));
    }

    private static async Task WaitUntilAnsweringAsync(Uri address, string path, TimeSpan timeout, ServiceProcess? process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        string last = "no attempt";
        while (deadline.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process is { ExitedAt: not 0 })
            {
                throw new DrillException($"The service exited{await ExitCodeText(process)} before it answered GET {path} at {address}.", OutputOf(process));
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var connection = await RawHttpConnection.ConnectAsync(address, attempt.Token);
                await connection.SendGetAsync(path, "Connection: close\r\n");
                await connection.ReadResponseAsync(attempt.Token);
                return;
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // Something answered, and not in HTTP/1.1: waiting longer will not change that.
                throw new DrillException($"{new Uri(address, path)} answered, but not with an HTTP/1.1 response: is it the service's HTTP port (--url)?", process is null ? null : OutputOf(process));
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new DrillException(string.Create(CultureInfo.InvariantCulture,
            $"{new Uri(address, path)} did not answer within {timeout.TotalSeconds:0.#} s (--startup-timeout; last attempt: {last})"),
            process is null ? null : OutputOf(process));
    }

    private static async Task<string> ExitCodeText(ServiceProcess process)
    {
        try
        {
            var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(5)).WaitAsync(TimeSpan.FromSeconds(5));
            return string.Create(CultureInfo.InvariantCulture, $" with code {code}");
        }
        catch (TimeoutException)
        {
            return "";
        }
    }

    /// <summary>The service's last lines of output, for the console: why it did not start is usually there.</summary>
    private static string OutputOf(ServiceProcess process)
    {
        var lines = process.Lines;
        return lines.Count == 0 ? "The service printed nothing."
            : $"The service's output{(lines.Count > 20 ? " (last 20 lines)" : "")}:\n  " + string.Join("\n  ", lines.TakeLast(20));
    }
}
