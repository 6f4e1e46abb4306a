using System.Globalization;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>The kernel's count of connections dropped because a listen queue was full (<c>/proc/net/netstat</c>, TcpExt ListenOverflows).</summary>
internal static class ListenOverflows
{
    /// <summary>The count now; null where the kernel does not say (not Linux).</summary>
    public static long? Read()
    {
        try
        {
            var lines = File.ReadAllLines("/proc/net/netstat").Where(l => l.StartsWith("TcpExt:", StringComparison.Ordinal)).ToArray();
            if (lines.Length < 2)
            {
                return null;
            }

            var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var index = Array.IndexOf(names, "ListenOverflows");
            return index > 0 && index < values.Length ? long.Parse(values[index], CultureInfo.InvariantCulture) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
