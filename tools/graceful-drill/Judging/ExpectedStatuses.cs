using System.Globalization;

namespace Graceful.Drill.Judging;

/// <summary>
/// The statuses a response may have and still count as the service doing its job (<c>--expect-status</c>): codes and
/// classes separated by commas, <c>200</c>, <c>2xx</c>, <c>200,204</c>, <c>2xx,404</c>.
/// </summary>
public sealed class ExpectedStatuses
{
    private readonly int[] _codes;
    private readonly int[] _classes;

    private ExpectedStatuses(int[] codes, int[] classes, string text)
    {
        _codes = codes;
        _classes = classes;
        Text = text;
    }

    public static ExpectedStatuses AnySuccess { get; } = Parse("2xx");

    /// <summary>The set as the user wrote it, normalised (<c>2xx,404</c>).</summary>
    public string Text { get; }

    public static ExpectedStatuses Parse(string text)
    {
        var codes = new List<int>();
        var classes = new List<int>();
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (var part in parts)
        {
            if (part.Length == 3 && part[0] is >= '1' and <= '5' && part[1..].Equals("xx", StringComparison.OrdinalIgnoreCase))
            {
                classes.Add(part[0] - '0');
            }
            else if (part.Length == 3 && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
            {
                codes.Add(code);
            }
            else
            {
                throw new FormatException($"--expect-status '{text}': '{part}' is neither a status code (100-599) nor a class (1xx-5xx); e.g. 200, 2xx, 200,204 or 2xx,404.");
            }
        }

        return new ExpectedStatuses([.. codes], [.. classes], string.Join(',', parts.Select(p => p.ToLowerInvariant())));
    }

    public bool Contains(int status) => _codes.Contains(status) || _classes.Contains(status / 100);

    public override string ToString() => Text;
}
