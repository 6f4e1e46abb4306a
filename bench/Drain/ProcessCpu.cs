using System.Globalization;

/// <summary>Another process's CPU time (user + system, all threads) from /proc, in clock ticks of 10 ms.</summary>
internal static class ProcessCpu
{
    private const double MsPerTick = 10;

    /// <summary>The process's CPU time so far, or null once it is gone.</summary>
    public static double? ReadMs(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * MsPerTick;
    }

    /// <summary>
    /// Waits until the process has used no CPU for 300 ms (at most <paramref name="limit"/>): the tiered JIT's
    /// background recompiles after a burst of new connections, which a long-running server would have long finished.
    /// </summary>
    public static async Task WaitUntilQuietAsync(int pid, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        var last = ReadMs(pid);
        var quiet = 0;
        while (quiet < 3 && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
            var now = ReadMs(pid);
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /// <summary>Samples the process's CPU time every 5 ms until it is gone; completes with the last sample.</summary>
    public static Task<double> LastSampleAsync(int pid) => Task.Run(async () =>
    {
        var last = 0.0;
        while (ReadMs(pid) is { } now)
        {
            last = now;
            await Task.Delay(5);
        }

        return last;
    });
}
