using System.Globalization;
using System.Runtime.InteropServices;

namespace Graceful.TestSupport;

/// <summary>
/// A service upgraded in place starts its successor and exits, so the successor is orphaned. As the child subreaper
/// (prctl PR_SET_CHILD_SUBREAPER) this process adopts such orphans instead of init: it can find them to clean up,
/// and reap them, since init in a container may not (each would stay a zombie).
/// </summary>
public static partial class Subreaper
{
    private const int PrSetChildSubreaper = 36;
    private const int WNoHang = 1;

    /// <summary>Makes this process adopt the orphans among its descendants, from now on.</summary>
    public static void Enable()
    {
        if (Prctl(PrSetChildSubreaper, 1, 0, 0, 0) != 0)
        {
            throw new InvalidOperationException($"prctl(PR_SET_CHILD_SUBREAPER) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Reaps <paramref name="pid"/> if it is an adopted child that has exited. Never pass a process started with
    /// <see cref="System.Diagnostics.Process"/>: .NET reaps those itself and must see their exit status.
    /// </summary>
    public static void Reap(int pid) => _ = WaitPid(pid, out _, WNoHang);

    /// <summary>This process's children, started or adopted, from /proc (one scan: use it for clean-up, not polling).</summary>
    public static IReadOnlyList<int> Children()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == self)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return children;
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);
}
