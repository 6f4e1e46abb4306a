using System.Text.Json;
using Graceful.AspNetCore.Diagnostics.Reporting;

namespace Graceful.Tests;

/// <summary>
/// Where a child process writes its shutdown report (Graceful:ReportPath), in a folder of its own removed on disposal:
/// the facts of the exit line (trigger, exit code, request totals) without its wording.
/// </summary>
internal sealed class ReportFile : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("graceful-report-");

    public string Path => System.IO.Path.Combine(_folder.FullName, "report.json");

    /// <summary>The configuration (as environment variables) that has the process write its report here.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["Graceful__ReportPath"] = Path };

    public ShutdownReport Read() => JsonSerializer.Deserialize(File.ReadAllText(Path), ShutdownReportJson.Default.ShutdownReport)
        ?? throw new InvalidOperationException($"{Path} holds no report");

    public void Dispose() => _folder.Delete(recursive: true);
}
