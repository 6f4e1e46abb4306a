using System.Globalization;
using System.Text.Json;

namespace Graceful.TestSupport;

/// <summary>
/// One line of a child process's log written by the JSON console formatter (<see cref="StructuredLog.Environment"/>):
/// the facts a test asserts on, its category, event id and placeholder values, rather than its wording.
/// </summary>
public sealed record LoggedEvent(string Category, int EventId, string Level, string Message, IReadOnlyDictionary<string, JsonElement> State)
{
    /// <summary>Whether this is the event <paramref name="key"/>.</summary>
    public bool Is(EventKey key) => EventId == key.Id && Category == key.Category;

    /// <summary>The value of placeholder <paramref name="name"/> as the log wrote it (a number's digits, a string's text).</summary>
    public string this[string name] => State.TryGetValue(name, out var value)
        ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
        : throw new KeyNotFoundException($"{Category}[{EventId}] has no value {name}: {Message}");

    /// <summary>The integer value of placeholder <paramref name="name"/>.</summary>
    public int Number(string name) => int.Parse(this[name], CultureInfo.InvariantCulture);

    /// <summary>The event on <paramref name="line"/>, or null for a line that is not a JSON console log entry.</summary>
    public static LoggedEvent? Parse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (!root.TryGetProperty(nameof(Category), out var category) || !root.TryGetProperty(nameof(EventId), out var eventId))
            {
                return null;
            }

            var state = root.TryGetProperty(nameof(State), out var values)
                ? values.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())
                : [];
            return new LoggedEvent(category.GetString()!, eventId.GetInt32(), root.GetProperty("LogLevel").GetString()!,
                root.GetProperty(nameof(Message)).GetString()!, state);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
