using System.Diagnostics;
using Graceful.Harness;

namespace Graceful.Drill.Target;

/// <summary>
/// The processes of a service upgraded in place: the one the drill started, then successors that are not the drill's
/// children (their exit is seen through a pidfd, their code is not known).
/// </summary>
internal static class Generations
{
    /// <summary>Completes with the <see cref="Stopwatch"/> timestamp of <paramref name="pid"/>'s exit.</summary>
    public static Task<long> WatchExit(ServiceTarget started, int pid)
    {
        if (pid == started.Pid)
        {
            return started.Exited;
        }

        try
        {
            return ExitWatch.Start(pid);
        }
        catch (InvalidOperationException)
        {
            // pidfd_open fails for a process that is already gone.
            return Task.FromResult(Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Stops the last generation as a deploy would: SIGTERM, and SIGKILL when it has not exited 60 s later.</summary>
    public static async Task StopAsync(int pid, Task<long> exited)
    {
        if (exited.IsCompleted)
        {
            return;
        }

        Signals.Send(pid, Signals.SIGTERM);
        if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(60))) != exited)
        {
            Signals.Send(pid, Signals.SIGKILL);
        }
    }
}
