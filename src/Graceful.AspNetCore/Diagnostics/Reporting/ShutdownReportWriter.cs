using System.Text.Json;
using Graceful.AspNetCore.Platform.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Diagnostics.Reporting;

/// <summary>Writes the report to <see cref="GracefulOptions.ReportPath"/>, replacing the file in one step.</summary>
internal sealed partial class ShutdownReportWriter(IOptions<GracefulOptions> options, ILogger<ShutdownReportWriter> logger)
{
    public void Write(ShutdownReport report)
    {
        if (options.Value.ReportPath is not { } path)
        {
            return;
        }

        try
        {
            AtomicFile.Replace(path, JsonSerializer.SerializeToUtf8Bytes(report, ShutdownReportJson.Default.ShutdownReport));
        }
        catch (Exception ex)
        {
            // The shutdown itself went fine; a report that cannot be written (its folder gone, read-only, a bad path)
            // must not change its outcome or exit code.
            LogWriteFailed(logger, ex, path);
        }
    }

    [LoggerMessage(EventId = 51, EventName = "ReportWriteFailed", Level = LogLevel.Error, Message = "Could not write the shutdown report to {Path}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string path);
}
