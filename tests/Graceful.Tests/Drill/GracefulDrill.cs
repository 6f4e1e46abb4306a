using System.Text.Json;

namespace Graceful.Tests.Drill;

/// <summary>
/// graceful-drill run as users run it: a child process with a command line, its exit code and its reports
/// (drill.json read back as a <see cref="JsonDocument"/>) in a fresh folder.
/// </summary>
internal sealed class GracefulDrill : IDisposable
{
    private GracefulDrill(string folder, int exitCode, string output, IReadOnlyList<string> errorLines)
    {
        Folder = folder;
        ExitCode = exitCode;
        Output = output;
        ErrorLines = errorLines;
        Json = File.Exists(JsonPath) ? JsonDocument.Parse(File.ReadAllText(JsonPath)) : null;
        var fuzz = Path.Combine(folder, "fuzz.json");
        Fuzz = File.Exists(fuzz) ? JsonDocument.Parse(File.ReadAllText(fuzz)) : null;
    }

    public string Folder { get; }

    public int ExitCode { get; }

    /// <summary>Standard output and standard error, in order.</summary>
    public string Output { get; }

    /// <summary>Standard error alone.</summary>
    public IReadOnlyList<string> ErrorLines { get; }

    public JsonDocument? Json { get; }

    /// <summary>A <c>--fuzz</c> run's report, <c>fuzz.json</c>.</summary>
    public JsonDocument? Fuzz { get; }

    public string JsonPath => Path.Combine(Folder, "drill.json");

    public string HtmlPath => Path.Combine(Folder, "drill.html");

    public JsonElement Summary => Json!.RootElement.GetProperty("summary");

    public IEnumerable<JsonElement> Requests => Json!.RootElement.GetProperty("requests").EnumerateArray();

    public IEnumerable<JsonElement> Markers => Json!.RootElement.GetProperty("markers").EnumerateArray();

    public IEnumerable<JsonElement> Exits => Json!.RootElement.GetProperty("exits").EnumerateArray();

    public static string DrillDll => RepoPaths.ProgramDll("tools/graceful-drill");

    public static string TestServerDll => RepoPaths.ProgramDll("tests/DrillTestServer");

    /// <summary>Runs <c>graceful-drill</c> with <paramref name="args"/> (plus an output folder) and waits for it to exit.</summary>
    public static Task<GracefulDrill> RunAsync(params string[] args) => RunAsync(args, withOutputFolder: true);

    /// <summary>As <see cref="RunAsync(string[])"/>; without <paramref name="withOutputFolder"/> the arguments choose <c>--out</c> themselves.</summary>
    public static async Task<GracefulDrill> RunAsync(string[] args, bool withOutputFolder)
    {
        var folder = Directory.CreateTempSubdirectory("graceful-drill-").FullName;
        await using var drill = await ServiceProcess.StartAsync(DrillDll, withOutputFolder ? ["--out", folder, .. args] : args, waitForListening: false);
        var exitCode = await drill.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return new GracefulDrill(folder, exitCode, drill.Output, drill.ErrorLines);
    }

    public long Count(string outcome) => Summary.GetProperty(outcome).GetInt64();

    /// <summary>A count of <c>summary.statuses</c>: answered, expected, declined, unexpected.</summary>
    public long Statuses(string count) => Summary.GetProperty("statuses").GetProperty(count).GetInt64();

    public void Dispose()
    {
        Json?.Dispose();
        Fuzz?.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    public override string ToString() => $"exit {ExitCode}\n{Output}";
}
