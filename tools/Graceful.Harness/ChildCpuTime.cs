using System.Runtime.InteropServices;

namespace Graceful.Harness;

/// <summary>
/// The CPU time a child process spends from a moment (a signal) to its exit, in nanoseconds of the kernel's own
/// accounting: the child's process CPU clock read at that moment (<c>clock_getcpuclockid</c>), subtracted from its total
/// CPU time once it has been reaped (the growth of <c>getrusage(RUSAGE_CHILDREN)</c>). Both come from the scheduler's
/// run-time sum, not from 10 ms ticks. Valid when the child is the only one reaped while it runs.
/// </summary>
public sealed partial class ChildCpuTime
{
    private const int RusageChildren = -1;
    private readonly TimeSpan _childrenBefore = ChildrenTotal();
    private TimeSpan _atMark;

    /// <summary>Starts accounting; create it just before starting the child.</summary>
    public static ChildCpuTime BeforeStart() => new();

    /// <summary>Reads the running child's CPU time so far (call just before signalling it).</summary>
    public void Mark(int pid) => _atMark = Of(pid);

    /// <summary>The CPU time a running process (any, of this user) has spent so far, all its threads included.</summary>
    public static TimeSpan Of(int pid)
    {
        if (ClockGetCpuClockId(pid, out var clock) != 0 || ClockGetTime(clock, out var now) != 0)
        {
            throw new InvalidOperationException($"cannot read the CPU clock of {pid}: errno {Marshal.GetLastPInvokeError()}");
        }

        return TimeSpan.FromTicks((now.Seconds * 1_000_000_000 + now.Nanoseconds) / 100);
    }

    /// <summary>
    /// Returns once <paramref name="pid"/> has used less than 1 % of a core for two 100 ms periods in a row: its
    /// start-up work (JIT, a warm-up thread) is done, as in a service that has run for a while. At most 30 s.
    /// </summary>
    public static async Task WaitUntilIdleAsync(int pid)
    {
        var quiet = 0;
        var last = Of(pid);
        for (var waited = 0; quiet < 2 && waited < 300; waited++)
        {
            await Task.Delay(100);
            var now = Of(pid);
            quiet = now - last < TimeSpan.FromMilliseconds(1) ? quiet + 1 : 0;
            last = now;
        }
    }

    /// <summary>After the child has exited and been reaped: its CPU time from <see cref="Mark"/> to its exit.</summary>
    public TimeSpan SinceMark() => ChildrenTotal() - _childrenBefore - _atMark;

    private static TimeSpan ChildrenTotal()
    {
        if (GetRusage(RusageChildren, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return TimeSpan.FromTicks((usage.UserSeconds + usage.SystemSeconds) * TimeSpan.TicksPerSecond + (usage.UserMicroseconds + usage.SystemMicroseconds) * 10);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // struct rusage on x86-64 Linux: two timevals, then 14 longs this class does not read.
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long Rest0, Rest1, Rest2, Rest3, Rest4, Rest5, Rest6, Rest7, Rest8, Rest9, Rest10, Rest11, Rest12, Rest13;
    }

    [LibraryImport("libc", EntryPoint = "clock_getcpuclockid", SetLastError = true)]
    private static partial int ClockGetCpuClockId(int pid, out int clock);

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRusage(int who, out RUsage usage);
}
