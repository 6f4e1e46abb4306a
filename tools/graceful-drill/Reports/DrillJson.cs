using System.Text.Json;
using System.Text.Json.Serialization;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Reports;

/// <summary>The JSON report: camelCase, enums as strings, one request per array element.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DrillReport))]
internal sealed partial class DrillJson : JsonSerializerContext
{
    public static async Task WriteAsync(DrillReport report, string path)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, Default.DrillReport);
    }

    public static async Task<DrillReport> ReadAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, Default.DrillReport) ?? throw new InvalidDataException(path);
    }
}
