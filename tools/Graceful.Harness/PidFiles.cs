using System.Globalization;

namespace Graceful.Harness;

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
        catch (IOException)
        {
            // Absent (or its folder is): nothing named yet.
            return null;
        }
    }
}
