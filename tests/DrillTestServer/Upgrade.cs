using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DrillTestServer;

/// <summary>
/// An in-place upgrade the way the drill expects one: the listening socket is inherited by a new process (its
/// descriptor made inheritable, its number passed in an environment variable), the new process writes its pid to the
/// pid file, and only then does the old one stop accepting and drain.
/// </summary>
internal static partial class Upgrade
{
    public const string ListenFdVariable = "DRILL_TEST_LISTEN_FD";
    private const int SetDescriptorFlags = 2; // F_SETFD; 0 clears FD_CLOEXEC

    public static async Task HandOverAsync(MiniServer server, Socket listener, string[] args, string? pidFile)
    {
        var fd = (int)listener.SafeHandle.DangerousGetHandle();
        if (Fcntl(fd, SetDescriptorFlags, 0) != 0)
        {
            throw new InvalidOperationException($"fcntl({fd}, F_SETFD, 0) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { UseShellExecute = false };
        if (!self.EndsWith("DrillTestServer", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(typeof(Upgrade).Assembly.Location); // run through dotnet
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[ListenFdVariable] = fd.ToString(CultureInfo.InvariantCulture);
        using var child = Process.Start(info)!;
        var deadline = Stopwatch.StartNew();
        while (pidFile is not null && File.ReadAllText(pidFile).Trim() != child.Id.ToString(CultureInfo.InvariantCulture) && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(5);
        }

        Console.WriteLine($"SIGHUP: pid {child.Id} serves now; draining pid {Environment.ProcessId}");
        await server.DrainAsync();
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
