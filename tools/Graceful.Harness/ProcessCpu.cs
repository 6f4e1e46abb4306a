using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Graceful.Harness;

/// <summary>
/// A child process's CPU time (user + system), to tell what a stop costs apart from how long a loaded machine makes
/// it take: <see cref="Running"/> is a live child's CPU time so far, <see cref="ReapedChildren"/> what the kernel
/// accounted to this process's reaped children, so the difference across one child's exit is that child's CPU time
/// from the first reading to its end.
/// </summary>
public static partial class ProcessCpu
{
    private const int Children = -1; // RUSAGE_CHILDREN

    // USER_HZ, the unit of /proc/pid/stat's times: 100 on Linux.
    private const int ClockTicksPerSecond = 100;

    /// <summary>
    /// CPU time of <paramref name="pid"/> so far, its ended threads included (/proc/pid/stat utime + stime, in clock
    /// ticks of 10 ms): the same accounting as <see cref="ReapedChildren"/>, so their difference is not biased by
    /// threads that ended before.
    /// </summary>
    public static TimeSpan Running(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>
    /// Waits until <paramref name="pid"/> has used no CPU for 300 ms (at most <paramref name="limit"/>): the tiered JIT's
    /// background recompiles after a burst of new connections, which a long-running server would have long finished.
    /// </summary>
    public static async Task WaitUntilQuietAsync(int pid, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        var last = Running(pid);
        var quiet = 0;
        while (quiet < 3 && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
            var now = Running(pid);
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /// <summary>CPU time of this process's children that have exited and been reaped (getrusage RUSAGE_CHILDREN).</summary>
    public static TimeSpan ReapedChildren()
    {
        var usage = default(Usage);
        if (GetUsage(Children, ref usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return TimeSpan.FromSeconds(usage.UserSeconds + usage.SystemSeconds)
            + TimeSpan.FromMicroseconds(usage.UserMicroseconds + usage.SystemMicroseconds);
    }

    // struct rusage on 64-bit Linux: two struct timeval, then 14 longs this class does not read.
    [StructLayout(LayoutKind.Sequential)]
    private struct Usage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public Rest Unread;
    }

    [InlineArray(14)]
    private struct Rest
    {
        private long _element;
    }

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetUsage(int who, ref Usage usage);
}
