using System.Globalization;
using System.Text;

namespace Graceful.AspNetCore.Configuration;

/// <summary>The kinds of value Graceful's options take, each parsed without reflection (NativeAOT-safe).</summary>
internal static class OptionValues
{
    public static OptionValue<TimeSpan> Duration { get; } = new(
        GracefulDuration.TryParse, GracefulDuration.Syntax, "a duration", Setting);

    public static OptionValue<TimeSpan?> OptionalDuration { get; } = new(
        static (string text, out TimeSpan? value) =>
        {
            var parsed = GracefulDuration.TryParse(text, out var duration);
            value = parsed ? duration : null;
            return parsed;
        },
        GracefulDuration.Syntax, "a duration", static value => Setting(value.GetValueOrDefault()));

    public static OptionValue<bool> Flag { get; } = new(bool.TryParse, "true or false", "`true` or `false`", static value => value ? "true" : "false");

    public static OptionValue<int> WholeNumber { get; } = new(
        static (string text, out int value) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
        "a whole number", "a whole number", static value => value.ToString(CultureInfo.InvariantCulture));

    public static OptionValue<int?> OptionalWholeNumber { get; } = new(
        static (string text, out int? value) =>
        {
            var parsed = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number);
            value = parsed ? number : null;
            return parsed;
        },
        "a whole number", "a whole number", static value => value.GetValueOrDefault().ToString(CultureInfo.InvariantCulture));

    /// <summary>A file path; empty leaves it unset.</summary>
    public static OptionValue<string?> FilePath { get; } = new(
        static (string text, out string? value) =>
        {
            value = text;
            return true;
        },
        "a path", "a file path", static value => value ?? "", EmptyIsUnset: true);

    /// <summary>A name checked by the option's rule; empty leaves the default.</summary>
    public static OptionValue<string> Name { get; } = new(
        static (string text, out string value) =>
        {
            value = text;
            return true;
        },
        "a name", "a name", static value => value, EmptyIsUnset: true);

    /// <summary>One of an enum's named members, in any case (<c>AfterDelay</c>, <c>afterdelay</c>); numbers outside it are refused.</summary>
    public static OptionValue<TEnum> OneOf<TEnum>() where TEnum : struct, Enum
    {
        var names = Enum.GetNames<TEnum>();
        return new(
            static (string text, out TEnum value) => Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value),
            Alternatives(names, ""), Alternatives(names, "`"), static value => value.ToString());
    }

    /// <summary>
    /// The shortest text <see cref="GracefulDuration.Parse"/> reads back: <c>0</c>, <c>500ms</c>, <c>15s</c>,
    /// <c>1m30s</c>, <c>infinite</c>. Unlike <see cref="GracefulDuration.Format"/> (for logs), it rounds nothing.
    /// </summary>
    public static string Setting(TimeSpan value)
    {
        if (value == Timeout.InfiniteTimeSpan)
        {
            return GracefulDuration.Infinite;
        }

        if (value == TimeSpan.Zero)
        {
            return "0";
        }

        if (value < TimeSpan.Zero)
        {
            return "-" + Setting(value == TimeSpan.MinValue ? TimeSpan.MaxValue : value.Negate());
        }

        var text = new StringBuilder();
        AppendUnit(text, (long)value.TotalHours, "h");
        AppendUnit(text, value.Minutes, "m");
        AppendUnit(text, value.Seconds, "s");
        var milliseconds = value.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerMillisecond;
        if (milliseconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{milliseconds:0.####}ms");
        }

        return text.ToString();
    }

    private static void AppendUnit(StringBuilder text, long count, string unit)
    {
        if (count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{count}{unit}");
        }
    }

    // "A, B or C", each name between the given marks.
    private static string Alternatives(string[] names, string mark)
    {
        var marked = names.Select(n => mark + n + mark).ToArray();
        return marked.Length == 1 ? marked[0] : string.Join(", ", marked[..^1]) + " or " + marked[^1];
    }
}
