using System.Diagnostics;

namespace Graceful.Harness;

/// <summary>
/// Sees a pid file change the moment it is written (inotify), for timing an in-place upgrade's switchover;
/// <see cref="PidFiles"/> reads it.
/// </summary>
public static class PidFileWatch
{
    /// <summary>
    /// Waits until the file names a pid other than <paramref name="previous"/> (any pid when null) and returns it with
    /// the <see cref="Stopwatch"/> timestamp it was seen at; null when <paramref name="timeout"/> passes first.
    /// </summary>
    public static async Task<(int Pid, long SeenAt)?> WaitForChangeAsync(string path, int? previous, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        using var changed = new SemaphoreSlim(0);
        // inotify sees a rename over the file (how tableflip writes it) or a write in place within a millisecond; the
        // timed re-read below only covers events the watcher drops.
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        FileSystemEventHandler onEvent = (_, _) => changed.Release();
        watcher.Created += onEvent;
        watcher.Changed += onEvent;
        watcher.Renamed += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;

        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var pid = PidFiles.Read(full);
            var seenAt = Stopwatch.GetTimestamp();
            if (pid is not null && pid != previous)
            {
                return (pid.Value, seenAt);
            }

            if (seenAt >= deadline)
            {
                return null;
            }

            await changed.WaitAsync(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>As <see cref="WaitForChangeAsync"/>, for tests: the new pid, or a <see cref="TimeoutException"/>.</summary>
    public static async Task<int> WaitForNewPidAsync(string path, int? previous, TimeSpan timeout) =>
        (await WaitForChangeAsync(path, previous, timeout))?.Pid
        ?? throw new TimeoutException($"{path} still names {previous?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"} after {timeout}.");
}
