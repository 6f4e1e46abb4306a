using System.Globalization;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// Whether the kernel has handshakes under way (SYN_RECV) for a local port (Linux, this process's network namespace).
/// A handshake whose final ACK the kernel dropped because the accept queue was full is one: its client believes it is
/// connected and may have sent its request; it is completed (and queued for accept) when the client's next segment
/// arrives, and reset if the listener closes first. <c>/proc/net/tcp</c> and <c>tcp6</c> list each request socket as
/// state 03 with the listener's local port.
/// </summary>
internal static class PendingHandshakes
{
    private const string SynReceived = "03";
    private static readonly string[] Tables = ["/proc/net/tcp", "/proc/net/tcp6"];

    /// <summary>The number of handshakes under way on any of <paramref name="ports"/>; 0 where the tables cannot be read.</summary>
    public static int Count(int[] ports)
    {
        var count = 0;
        foreach (var table in Tables)
        {
            string text;
            try
            {
                text = File.ReadAllText(table);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // "  sl  local_address rem_address   st ...": the local port is the hex after the first field's colon.
            foreach (var line in text.AsSpan().EnumerateLines())
            {
                if (IsSynReceivedOn(line, ports))
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static bool IsSynReceivedOn(ReadOnlySpan<char> line, int[] ports)
    {
        line = line.TrimStart();
        var fields = 0;
        ReadOnlySpan<char> local = default;
        while (!line.IsEmpty)
        {
            var end = line.IndexOf(' ');
            var field = end < 0 ? line : line[..end];
            switch (fields++)
            {
                case 1:
                    local = field;
                    break;
                case 3:
                    return field.SequenceEqual(SynReceived) && local.LastIndexOf(':') is var colon and >= 0
                        && int.TryParse(local[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port)
                        && Array.IndexOf(ports, port) >= 0;
            }

            line = end < 0 ? default : line[(end + 1)..].TrimStart();
        }

        return false;
    }
}
