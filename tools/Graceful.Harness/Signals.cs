using System.Runtime.InteropServices;

namespace Graceful.Harness;

/// <summary>Real POSIX signals, sent with kill(2).</summary>
public static partial class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static int FromName(string name) => name switch
    {
        "SIGHUP" => SIGHUP,
        "SIGINT" => SIGINT,
        "SIGQUIT" => SIGQUIT,
        "SIGKILL" => SIGKILL,
        "SIGTERM" => SIGTERM,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown signal"),
    };

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
