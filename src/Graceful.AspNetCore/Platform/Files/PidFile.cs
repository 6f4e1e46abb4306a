using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Platform.Files;

/// <summary>
/// The file named by <see cref="GracefulOptions.PidFile"/>: this process's id once it serves, its successor's once an
/// upgrade hands over. Each write replaces it in one step (<see cref="AtomicFile"/>), so a reader
/// (<c>kill -HUP $(cat app.pid)</c>) never sees it empty or half-written.
/// </summary>
internal sealed partial class PidFile(IOptions<GracefulOptions> options, ILogger<PidFile> logger)
{
    private bool _written;

    private string? Path => options.Value.PidFile;

    public void Write(int pid)
    {
        if (Path is not { } path)
        {
            return;
        }

        // A pid file that cannot be written is reported, never a reason to stop serving or to undo a hand-over.
        try
        {
            AtomicFile.Replace(path, Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture) + "\n"));
            _written = true;
        }
        catch (Exception ex)
        {
            LogWriteFailed(logger, ex, path, pid);
        }
    }

    [LoggerMessage(EventId = 76, EventName = "PidFileWriteFailed", Level = LogLevel.Error, Message = "Could not write {Path} with pid {Pid}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string path, int pid);

    [LoggerMessage(EventId = 77, EventName = "PidFileRemoveFailed", Level = LogLevel.Warning, Message = "Could not remove {Path} at exit")]
    private static partial void LogRemoveFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 78, EventName = "PidFileGone", Level = LogLevel.Warning, Message = "{Path} was already gone at exit (removed with its folder?): nothing to remove")]
    private static partial void LogGoneAtExit(ILogger logger, string path);

    /// <summary>Removes the file at exit, unless it names another process (the successor this one handed over to).</summary>
    public void RemoveIfOwn()
    {
        try
        {
            if (Path is not { } path)
            {
                return;
            }

            if (!File.Exists(path))
            {
                // Written once serving, so someone removed it (or its folder) meanwhile; nothing to undo, but say so.
                if (_written)
                {
                    LogGoneAtExit(logger, path);
                }

                return;
            }

            if (File.ReadAllText(path).Trim() == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            {
                File.Delete(path);
            }
        }
        catch (Exception ex)
        {
            LogRemoveFailed(logger, ex, Path!);
        }
    }
}
