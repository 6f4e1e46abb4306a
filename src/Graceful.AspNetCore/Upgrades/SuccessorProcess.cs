using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Graceful.AspNetCore.Platform;

namespace Graceful.AspNetCore.Upgrades;

/// <summary>
/// A successor started with posix_spawn, not <see cref="System.Diagnostics.Process"/>: the listening sockets stay
/// close-on-exec in this process at all times and reach the successor alone, through spawn file actions that
/// re-open them there under the same numbers. A <c>Process.Start</c> elsewhere in the application, even at the
/// same moment, inherits none of them. Its exit is observed by a thread blocked in waitpid.
/// </summary>
internal sealed class SuccessorProcess
{
    private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SuccessorProcess(int id)
    {
        Id = id;
        var waiter = new Thread(WaitForExit) { IsBackground = true, Name = "Graceful successor watch" };
        waiter.Start();
    }

    public int Id { get; }

    /// <summary>Completes when the process has exited, with how it ended ("exit code 3", "signal 9").</summary>
    public Task<string> Exited => _exited.Task;

    /// <summary>
    /// Starts <paramref name="command"/> with this process's environment plus <paramref name="environment"/>,
    /// its standard streams, working directory, and <paramref name="descriptors"/> open under the same numbers.
    /// </summary>
    public static unsafe SuccessorProcess Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, IReadOnlyList<int> descriptors)
    {
        var strings = new List<IntPtr>();
        var actions = NativeMemory.AllocZeroed(FileActionsSize);
        try
        {
            var argv = NullTerminated(command, strings);
            var envp = NullTerminated(EnvironmentBlock(environment), strings);
            Check(Libc.FileActionsInit(actions), "posix_spawn_file_actions_init");
            try
            {
                foreach (var descriptor in descriptors)
                {
                    // dup2 onto itself clears close-on-exec in the new process only (POSIX.1-2024; glibc ≥ 2.29).
                    Check(Libc.FileActionsAddDup2(actions, descriptor, descriptor), "posix_spawn_file_actions_adddup2");
                }

                int pid;
                Check(Libc.SpawnP(&pid, argv[0], actions, null, argv, envp), $"posix_spawnp {command[0]}");
                return new SuccessorProcess(pid);
            }
            finally
            {
                _ = Libc.FileActionsDestroy(actions);
            }
        }
        finally
        {
            NativeMemory.Free(actions);
            strings.ForEach(Marshal.FreeCoTaskMem);
        }
    }

    /// <summary>Kills the process (SIGKILL); harmless once it has exited.</summary>
    public void Kill()
    {
        if (!Exited.IsCompleted)
        {
            _ = Libc.SendSignal(Id, Libc.Kill);
        }
    }

    // glibc's posix_spawn_file_actions_t is 80 bytes, musl's smaller; room to spare costs nothing.
    private const int FileActionsSize = 256;

    private static IEnumerable<string> EnvironmentBlock(IReadOnlyDictionary<string, string> overrides)
    {
        var inherited = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => ((string)e.Key, (string?)e.Value ?? ""))
            .Where(e => !overrides.ContainsKey(e.Item1));
        return inherited.Concat(overrides.Select(o => (o.Key, o.Value))).Select(e => $"{e.Item1}={e.Item2}");
    }

    // A C array of UTF-8 strings ending in NULL, as argv and envp are; everything allocated is added to the list.
    private static unsafe byte** NullTerminated(IEnumerable<string> values, List<IntPtr> allocated)
    {
        IntPtr[] pointers = [.. values.Select(Marshal.StringToCoTaskMemUTF8), IntPtr.Zero];
        allocated.AddRange(pointers.SkipLast(1));
        var array = Marshal.AllocCoTaskMem(IntPtr.Size * pointers.Length);
        allocated.Add(array);
        Marshal.Copy(pointers, 0, array, pointers.Length);
        return (byte**)array;
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"{call} failed: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
        }
    }

    private unsafe void WaitForExit()
    {
        int status;
        int result;
        while ((result = Libc.WaitPid(Id, &status, 0)) < 0 && Marshal.GetLastPInvokeError() == Libc.Interrupted)
        {
        }

        _exited.SetResult(result < 0
            ? "exited (reaped elsewhere)"
            : (status & 0x7f) == 0
                ? string.Create(CultureInfo.InvariantCulture, $"exit code {(status >> 8) & 0xff}")
                : string.Create(CultureInfo.InvariantCulture, $"signal {status & 0x7f}"));
    }
}
