using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Graceful.AspNetCore.Platform;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// Whether the kernel has handshakes under way (SYN_RECV) for a local port (Linux, this process's network namespace).
/// A handshake whose final ACK the kernel dropped because the accept queue was full is one: its client believes it is
/// connected and may have sent its request; it is completed (and queued for accept) when the client's next segment
/// arrives, and reset if the listener closes first. The kernel keeps each as a request socket (TCP_NEW_SYN_RECV) under
/// the listener's local port, and reports it as SYN_RECV both to an inet_diag dump (<see cref="SocketDiag"/>: only the
/// sockets in that state) and in <c>/proc/net/tcp</c> and <c>tcp6</c> (state 03 among every socket, as text: the
/// fallback where netlink is refused). A request socket has its listener's family (an IPv4 client of a dual-stack IPv6
/// listener is under AF_INET6), so only the listeners' own families are looked at: each dump walks the kernel's whole
/// table of connections, closed ones waiting out TIME_WAIT included (about 10 ms of CPU with 120,000 of them).
/// </summary>
internal static class PendingHandshakes
{
    private const int SynReceived = 3; // TCP_SYN_RECV
    private const string SynReceivedInProc = "03";
    private static readonly Family[] Families =
    [
        new(AddressFamily.InterNetwork, 2, "/proc/net/tcp"), // AF_INET
        new(AddressFamily.InterNetworkV6, 10, "/proc/net/tcp6"), // AF_INET6
    ];

    /// <summary>
    /// The number of handshakes under way on any of the <paramref name="listening"/> endpoints (their family and port);
    /// 0 where neither source can be read.
    /// </summary>
    public static int Count(IPEndPoint[] listening) => CountByNetlink(listening) ?? CountInProc(listening);

    /// <summary>The same from inet_diag; null where the kernel did not answer for a family looked at.</summary>
    public static int? CountByNetlink(IPEndPoint[] listening)
    {
        var count = 0;
        foreach (var family in Families)
        {
            if (PortsIn(listening, family.Managed) is not { Length: > 0 } ports)
            {
                continue;
            }

            if (SocketDiag.Count(family.Kernel, SynReceived, ports) is not { } inFamily)
            {
                return null;
            }

            count += inFamily;
        }

        return count;
    }

    /// <summary>The same from the /proc tables; a table that cannot be read counts 0.</summary>
    public static int CountInProc(IPEndPoint[] listening)
    {
        var count = 0;
        foreach (var family in Families)
        {
            if (PortsIn(listening, family.Managed) is { Length: > 0 } ports)
            {
                count += CountInProc(family.Table, ports);
            }
        }

        return count;
    }

    private static int[] PortsIn(IPEndPoint[] listening, AddressFamily family)
    {
        var ports = new List<int>(listening.Length);
        foreach (var endpoint in listening)
        {
            if (endpoint.AddressFamily == family)
            {
                ports.Add(endpoint.Port);
            }
        }

        return [.. ports];
    }

    private static int CountInProc(string table, int[] ports)
    {
        string text;
        try
        {
            text = File.ReadAllText(table);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        // "  sl  local_address rem_address   st ...": the local port is the hex after the first field's colon.
        var count = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (IsSynReceivedOn(line, ports))
            {
                count++;
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
                    return field.SequenceEqual(SynReceivedInProc) && local.LastIndexOf(':') is var colon and >= 0
                        && int.TryParse(local[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port)
                        && Array.IndexOf(ports, port) >= 0;
            }

            line = end < 0 ? default : line[(end + 1)..].TrimStart();
        }

        return false;
    }

    // An address family as .NET names it, as the kernel numbers it, and its /proc table.
    private readonly record struct Family(AddressFamily Managed, int Kernel, string Table);
}
