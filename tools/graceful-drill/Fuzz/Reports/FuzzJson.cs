using System.Text.Json;
using System.Text.Json.Serialization;

namespace Graceful.Drill.Fuzz.Reports;

/// <summary>The fuzz run's JSON report, <c>fuzz.json</c> (camelCase, enums as strings, as <c>drill.json</c>), written beside <c>fuzz.html</c>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FuzzReport))]
internal sealed partial class FuzzJson : JsonSerializerContext
{
    public const string FileName = "fuzz.json";

    public static async Task WriteAsync(FuzzReport report, string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            await using (var file = File.Create(Path.Combine(folder, FileName)))
            {
                await JsonSerializer.SerializeAsync(file, report, Default.FuzzReport);
            }

            await File.WriteAllTextAsync(Path.Combine(folder, FuzzHtmlReport.FileName), FuzzHtmlReport.Render(report));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DrillException($"Cannot write the report to {folder} (--out): {e.Message}");
        }
    }
}
