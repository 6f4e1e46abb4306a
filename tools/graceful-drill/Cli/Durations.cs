using System.Globalization;

namespace Graceful.Drill.Cli;

/// <summary>Durations as the command line writes them: <c>250ms</c>, <c>2s</c>, <c>1.5s</c>, <c>1m</c>.</summary>
public static class Durations
{
    public static TimeSpan Parse(string text)
    {
        var t = text.Trim();
        (string Number, double Scale) split = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 1)
            : t.EndsWith('s') ? (t[..^1], 1000)
            : t.EndsWith('m') ? (t[..^1], 60_000)
            : (t, double.NaN);
        if (double.IsNaN(split.Scale) || !double.TryParse(split.Number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new FormatException($"'{text}' is not a duration: use 250ms, 2s, 1.5s or 1m.");
        }

        return TimeSpan.FromMilliseconds(value * split.Scale);
    }

    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.#}ms")
        : string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.###}s");
}
