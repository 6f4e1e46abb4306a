using System.Globalization;

namespace Graceful.AspNetCore.Configuration;

/// <summary>
/// Checks shared by several options. Each error names the value as an operator would write it (<c>-1s</c>,
/// <c>infinite</c>), and says why when the bound protects something.
/// </summary>
internal static class OptionRules
{
    private static readonly TimeSpan Infinite = Timeout.InfiniteTimeSpan;

    public static OptionRule<TimeSpan> PositiveOrInfinite { get; } = new(
        "a positive duration or `infinite`",
        static v => v > TimeSpan.Zero || v == Infinite,
        static v => $" must be a positive duration or infinite (was {Show(v)}).");

    public static OptionRule<TimeSpan> ZeroOrPositive { get; } = new(
        "a duration, `0` or more (not `infinite`)",
        static v => v >= TimeSpan.Zero,
        static v => $" must be zero or a positive duration (was {Show(v)}).");

    /// <summary>A positive, finite duration (infinite is negative: <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    public static OptionRule<TimeSpan> Positive(string? why = null) => new(
        "a positive duration (not `infinite`)",
        static v => v > TimeSpan.Zero,
        v => $" must be a positive duration (was {Show(v)}){Because(why)}.");

    public static OptionRule<TimeSpan> UpTo(TimeSpan max, string? why = null) => new(
        $"a duration from `0` to `{Show(max)}`",
        v => v >= TimeSpan.Zero && v <= max,
        v => $" must be from 0 to {Show(max)} (was {Show(v)}){Because(why)}.");

    public static OptionRule<TimeSpan> PositiveUpTo(TimeSpan max, string? why = null) => new(
        $"a positive duration up to `{Show(max)}`",
        v => v > TimeSpan.Zero && v <= max,
        v => $" must be a positive duration up to {Show(max)} (was {Show(v)}){Because(why)}.");

    public static OptionRule<int> Between(int min, int max, string? why = null) => new(
        $"a whole number from `{min}` to `{max}`",
        v => v >= min && v <= max,
        v => $" must be {min} to {max} (was {v.ToString(CultureInfo.InvariantCulture)}){Because(why)}.");

    public static OptionRule<int> AtLeast(int min) => new(
        $"a whole number, at least `{min}`",
        v => v >= min,
        v => $" must be at least {min} (was {v.ToString(CultureInfo.InvariantCulture)}).");

    /// <summary>A file whose folder exists, so it can be written when the time comes rather than fail then.</summary>
    public static OptionRule<string?> InExistingFolder { get; } = new(
        "a file path in an existing folder",
        static path => Folder(path) is not { } folder || Directory.Exists(folder),
        static path => $": the folder '{Folder(path)}' does not exist.");

    /// <summary>Applies <paramref name="rule"/> to a value that is set; unset passes.</summary>
    public static OptionRule<T?> WhenSet<T>(OptionRule<T> rule) where T : struct => new(
        rule.Doc,
        v => v is not { } set || rule.IsValid(set),
        v => rule.Problem(v.GetValueOrDefault()));

    /// <summary>A duration as the operator writes it, for errors and the docs.</summary>
    public static string Show(TimeSpan value) => OptionValues.Setting(value);

    private static string? Folder(string? path) => path is null ? null : Path.GetDirectoryName(Path.GetFullPath(path));

    private static string Because(string? why) => why is null ? "" : ": " + why;
}
