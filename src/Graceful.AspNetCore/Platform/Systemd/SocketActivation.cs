using System.Globalization;
using Graceful.AspNetCore.Platform;

namespace Graceful.AspNetCore.Platform.Systemd;

/// <summary>
/// Listening sockets passed by systemd socket activation (sd_listen_fds(3)): <c>LISTEN_FDS</c> descriptors from 3
/// on, meant for this process when <c>LISTEN_PID</c> is unset or its id. Every one is taken, not only the first.
/// </summary>
internal static class SocketActivation
{
    private const int FirstDescriptor = 3; // SD_LISTEN_FDS_START

    /// <summary>
    /// Returns the inherited descriptors and forgets them from the environment; each is marked close-on-exec so
    /// processes this one starts do not hold the listeners open.
    /// </summary>
    public static IReadOnlyList<int> TakeInheritedListeners()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count <= 0
            || (Environment.GetEnvironmentVariable("LISTEN_PID") is { } pid && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
        {
            return [];
        }

        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        var descriptors = Enumerable.Range(FirstDescriptor, count).ToArray();
        foreach (var descriptor in descriptors)
        {
            _ = Libc.Fcntl(descriptor, Libc.SetDescriptorFlags, Libc.CloseOnExec);
        }

        return descriptors;
    }
}
