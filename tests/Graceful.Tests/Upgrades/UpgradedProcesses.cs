using System.Globalization;

namespace Graceful.Tests.Upgrades;

/// <summary>
/// The chain of processes an upgrade test creates. Successors are not the test's children (their predecessor started
/// them), so disposal kills whichever is still running, by pid, and no test leaves one behind.
/// </summary>
internal sealed class UpgradedProcesses : IDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly List<int> _pids = [];

    public string PidFile { get; } = Path.Combine(Path.GetTempPath(), $"graceful-upgrade-{Guid.NewGuid():N}.pid");

    /// <summary>Sends the upgrade signal to the process the pid file names and waits for the successor to take over and the old process to exit.</summary>
    public async Task<(int Old, int New)> UpgradeAsync()
    {
        var old = PidFiles.Read(PidFile) ?? throw new InvalidOperationException($"{PidFile} names no process.");
        var oldExited = ExitWatch.Start(old);
        Signals.Send(old, Signals.SIGHUP);
        var next = await PidFileWatch.WaitForNewPidAsync(PidFile, old, Generous);
        Track(next);
        await oldExited.WaitAsync(Generous);
        return (old, next);
    }

    public void Track(int pid)
    {
        lock (_pids)
        {
            _pids.Add(pid);
        }
    }

    /// <summary>The sockets among a process's descriptors, each with whether it is close-on-exec.</summary>
    public static IReadOnlyList<(int Descriptor, bool CloseOnExec)> Sockets(int pid) =>
        [.. new DirectoryInfo($"/proc/{pid}/fd").GetFileSystemInfos()
            .Where(fd => fd.LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
            .Select(fd => (int.Parse(fd.Name, CultureInfo.InvariantCulture), CloseOnExec(pid, fd.Name)))];

    // The octal "flags:" line of /proc/PID/fdinfo/FD carries O_CLOEXEC (02000000).
    private static bool CloseOnExec(int pid, string descriptor)
    {
        var flags = File.ReadLines($"/proc/{pid}/fdinfo/{descriptor}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
        return (Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & 0x80000) != 0;
    }

    public void Dispose()
    {
        lock (_pids)
        {
            foreach (var pid in _pids.Where(p => Directory.Exists($"/proc/{p}")))
            {
                try
                {
                    Signals.Send(pid, Signals.SIGKILL);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }

        File.Delete(PidFile);
    }
}
