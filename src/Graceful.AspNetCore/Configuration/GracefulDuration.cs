using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Graceful.AspNetCore;

/// <summary>
/// Parses and formats durations the way operators write them: <c>500ms</c>, <c>5s</c>, <c>1m30s</c>,
/// <c>2h</c>, TimeSpan syntax (<c>00:00:05</c>), or <c>infinite</c> (<see cref="Timeout.InfiniteTimeSpan"/>).
/// </summary>
public static class GracefulDuration
{
    /// <summary>The text that stands for <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public const string Infinite = "infinite";

    /// <summary>What the parser accepts, for error messages.</summary>
    public const string Syntax = "a duration such as 500ms, 5s, 1m30s, 00:00:05 or infinite";

    /// <summary>Parses <paramref name="text"/>; returns false (never throws) when it is not a duration.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        if (span.Equals(Infinite, StringComparison.OrdinalIgnoreCase))
        {
            value = Timeout.InfiniteTimeSpan;
            return true;
        }

        if (span.Contains(':') && TimeSpan.TryParse(span, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        return TryParseUnits(span, out value);
    }

    /// <summary>Parses <paramref name="text"/> or throws a <see cref="FormatException"/> that says what is accepted.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not {Syntax}.");

    /// <summary>Formats for humans and logs: <c>512ms</c>, <c>29.44s</c>, <c>2m05s</c>, <c>infinite</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == Timeout.InfiniteTimeSpan)
        {
            return Infinite;
        }

        // Rounded in whole ticks, half away from zero as the custom formats "0.#" and "0.00" round: formatting a double
        // with a custom format takes its slow exact path (Dragon4), and the stop formats a duration in most of its lines.
        if (value < TimeSpan.FromSeconds(1))
        {
            if (value.Ticks < 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.#}ms");
            }

            var tenths = (value.Ticks + TimeSpan.TicksPerMillisecond / 20) / (TimeSpan.TicksPerMillisecond / 10);
            return tenths % 10 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{tenths / 10}ms")
                : string.Create(CultureInfo.InvariantCulture, $"{tenths / 10}.{tenths % 10}ms");
        }

        if (value < TimeSpan.FromMinutes(1))
        {
            var hundredths = (value.Ticks + TimeSpan.TicksPerSecond / 200) / (TimeSpan.TicksPerSecond / 100);
            return string.Create(CultureInfo.InvariantCulture, $"{hundredths / 100}.{hundredths % 100:00}s");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalMinutes}m{value.Seconds:00}s");
    }

    // A sequence of <number><unit> pairs, as Go's time.ParseDuration reads them ("1m30s", "1.5s").
    private static bool TryParseUnits(ReadOnlySpan<char> span, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var total = 0.0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 ||
                !double.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetter(span[unitLength]))
            {
                unitLength++;
            }

            var unit = span[..unitLength];
            span = span[unitLength..];
            double? milliseconds = unit switch
            {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                "" when number == 0 && span.IsEmpty => 0,
                _ => null,
            };
            if (milliseconds is null)
            {
                return false;
            }

            total += number * milliseconds.Value;
        }

        if (total > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }
}
