using System.Globalization;

namespace Graceful.TestSupport;

/// <summary>Reads a service's pid file, as an operator's <c>kill -HUP $(cat app.pid)</c> would.</summary>
public static class PidFiles
{
    /// <summary>The pid the file names, or null while it is absent or empty.</summary>
    public static int? Read(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Waits until the file names a process other than <paramref name="previous"/>, and returns it.</summary>
    public static async Task<int> WaitForChangeAsync(string path, int? previous, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (Read(path) is not { } pid || pid == previous)
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"{path} still names {previous?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} after {timeout}.");
            }

            // A test-side watch: the file is replaced by rename, so reading it every few ms sees each version whole.
            await Task.Delay(5, CancellationToken.None);
        }

        return Read(path)!.Value;
    }
}
