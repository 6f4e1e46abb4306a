using System.Text;

namespace Graceful.AspNetCore.Platform;

/// <summary>
/// Whether a process this one starts can outlive it. When the init (PID 1) of a PID namespace exits, the kernel kills
/// every other process in the namespace. A container's entrypoint is such an init; and the small inits that containers
/// run as PID 1 (tini, Docker's <c>--init</c>, dumb-init, catatonit) exit as soon as the one child they started does.
/// </summary>
internal static class NamespaceInit
{
    // Inits that exit with the child they started, by the name in /proc/1/comm. systemd, the other usual PID 1, stays.
    private static readonly string[] ExitWithTheirChild = ["tini", "docker-init", "dumb-init", "catatonit"];

    /// <summary>Why a successor would die with this process, in words; null when it would not.</summary>
    public static string? WhySuccessorsDie()
    {
        if (Environment.ProcessId == 1)
        {
            return "this process is PID 1 of its PID namespace (a container's entrypoint), and the kernel kills the successor when it exits";
        }

        if (Libc.GetParentProcessId() == 1 && Read("/proc/1/comm")?.TrimEnd('\n') is { } init && ExitWithTheirChild.Contains(init, StringComparer.Ordinal)
            && IsTheChildItStarted())
        {
            return $"this process is the child that {init} (PID 1) started and exits with, and the kernel then kills the successor";
        }

        return null;
    }

    // The init's command line ends with the one it started ("tini -- dotnet app.dll"). A process it merely adopted, an
    // orphan, has its own: when that one exits the init stays, and so does a successor.
    private static bool IsTheChildItStarted() =>
        Read("/proc/1/cmdline") is { } init && Read("/proc/self/cmdline") is { } own && own.Length > 0
        && init.EndsWith(own, StringComparison.Ordinal) && (init.Length == own.Length || init[^(own.Length + 1)] == '\0');

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
