using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Graceful.Harness;

/// <summary>
/// Sees a process exit the moment the kernel reports it: a pidfd (pidfd_open, Linux 5.3+) polled on a dedicated
/// thread becomes readable when the process has exited, independent of how .NET reaps its children.
/// </summary>
public static partial class ExitWatch
{
    private const long SysPidfdOpen = 434;
    private const short PollIn = 0x001;

    /// <summary>Starts watching <paramref name="pid"/>; the task completes with the Stopwatch timestamp of its exit.</summary>
    public static Task<long> Start(int pid)
    {
        var fd = (int)Syscall(SysPidfdOpen, pid, 0);
        if (fd < 0)
        {
            throw new InvalidOperationException($"pidfd_open({pid}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var exited = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var poll = new PollFd { Fd = fd, Events = PollIn };
            while (Poll(ref poll, 1, -1) < 0)
            {
                // Interrupted by a signal: poll again.
            }

            exited.SetResult(Stopwatch.GetTimestamp());
            _ = Close(fd);
        })
        { IsBackground = true, Priority = ThreadPriority.Highest };
        thread.Start();
        return exited.Task;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, ulong count, int timeout);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
