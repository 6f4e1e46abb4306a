using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Graceful.Harness;

/// <summary>
/// A service started as a real child process (<c>dotnet some.dll args</c>), its output collected line by line,
/// signalled with real POSIX signals. Disposal kills it if it is still running, so no test leaves one behind.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _errorLines = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private event Action? LineAdded;

    private ServiceProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    /// <summary>The first address the service said it listens on.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>When the process was seen to exit (a <see cref="Stopwatch"/> timestamp).</summary>
    public long ExitedAt { get; private set; }

    /// <summary>Completes when the process is seen to exit (its output may still be arriving).</summary>
    public Task Exited => _exited.Task;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join('\n', Lines);

    /// <summary>The lines written to standard error alone (<see cref="Lines"/> has them too, in order with the rest).</summary>
    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (_lines)
            {
                return [.. _errorLines];
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/>: <c>dotnet program.dll</c> for a .dll, the file itself otherwise (a NativeAOT
    /// build). With <paramref name="waitForListening"/>, returns once it says where it listens.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string program, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, bool waitForListening = true)
    {
        var viaDotnet = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(viaDotnet ? "dotnet" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (viaDotnet)
        {
            info.ArgumentList.Add(program);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => service.Add(e.Data);
        process.ErrorDataReceived += (_, e) => service.Add(e.Data, error: true);
        process.Exited += (_, _) =>
        {
            service.ExitedAt = Stopwatch.GetTimestamp();
            service._exited.TrySetResult();
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (waitForListening)
        {
            try
            {
                var line = service.WaitForLineAsync(l => ListeningLine().IsMatch(l), TimeSpan.FromSeconds(30));
                if (await Task.WhenAny(line, service.Exited) != line)
                {
                    // Exited first: the line may still be in its output; if not, say so now rather than in 30 s.
                    await Task.WhenAny(line, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(5)));
                    if (!line.IsCompleted)
                    {
                        throw new InvalidOperationException($"{program} exited with code {process.ExitCode} before it said where it listens. Output:\n{service.Output}");
                    }
                }

                service.BaseAddress = ListeningAddress(await line)!;
            }
            catch
            {
                await service.DisposeAsync();
                throw;
            }
        }

        return service;
    }

    /// <summary>The address in Kestrel's <c>Now listening on: http://...</c> line, or null for any other line.</summary>
    public static Uri? ListeningAddress(string line) => ListeningLine().Match(line) is { Success: true } match ? new Uri(match.Groups["url"].Value) : null;

    public void Signal(int signal) => Signals.Send(Pid, signal);

    public void Signal(string name) => Signal(Signals.FromName(name));

    /// <summary>Waits for a line matching <paramref name="predicate"/>, which may already have been printed.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            var match = Lines.FirstOrDefault(predicate);
            if (match is not null)
            {
                found.TrySetResult(match);
            }
        }

        LineAdded += Check;
        try
        {
            Check();
            _ = _exited.Task.ContinueWith(_ => Check(), TaskScheduler.Default);
            var winner = await Task.WhenAny(found.Task, Task.Delay(timeout));
            if (winner != found.Task)
            {
                throw new TimeoutException($"No matching line within {timeout}. Exited: {_process.HasExited}. Output:\n{Output}");
            }

            return await found.Task;
        }
        finally
        {
            LineAdded -= Check;
        }
    }

    /// <summary>
    /// Waits for the process to exit and returns its exit code; kills it and fails after <paramref name="timeout"/>.
    /// With <paramref name="waitForOutput"/> false it does not wait for the end of its output, which an upgrade's
    /// successor (writing to the same streams) keeps open.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, bool waitForOutput = true)
    {
        if (await Task.WhenAny(_exited.Task, Task.Delay(timeout)) != _exited.Task)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The service did not exit within {timeout}. Output:\n{Output}");
        }

        if (waitForOutput)
        {
            // Exited fires before the redirected streams are drained; wait for them too.
            await _process.WaitForExitAsync();
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line, bool error = false)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            if (error)
            {
                _errorLines.Add(line);
            }
        }

        LineAdded?.Invoke();
    }

    // Up to a quote too: in a JSON console line the address is followed by one.
    [GeneratedRegex(@"Now listening on: (?<url>http://[^\s""]+)")]
    private static partial Regex ListeningLine();
}
