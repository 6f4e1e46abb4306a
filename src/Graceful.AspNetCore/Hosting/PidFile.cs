using System.Globalization;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// The file named by <see cref="GracefulOptions.PidFile"/>: this process's id once it serves, its successor's once an
/// upgrade hands over. Each write goes to a temporary file beside it, then is renamed over it, so a reader
/// (<c>kill -HUP $(cat app.pid)</c>) never sees it empty or half-written.
/// </summary>
internal sealed class PidFile(IOptions<GracefulOptions> options)
{
    private string? Path => options.Value.PidFile;

    public void Write(int pid)
    {
        if (Path is not { } path)
        {
            return;
        }

        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, pid.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Removes the file at exit, unless it names another process (the successor this one handed over to).</summary>
    public void RemoveIfOwn()
    {
        if (Path is { } path && File.Exists(path)
            && File.ReadAllText(path).Trim() == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            File.Delete(path);
        }
    }
}
