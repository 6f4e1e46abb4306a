using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Graceful.Drill.Cli;

/// <summary>
/// Checks on option values made while parsing, so a bad value is a one-line error naming the option (exit 2) before
/// any service is started.
/// </summary>
internal static class OptionRules
{
    /// <summary>Fails the parse unless <paramref name="valid"/> holds for the option's value.</summary>
    public static Option<T> Must<T>(this Option<T> option, Func<T, bool> valid, string rule)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && TryGetValue(result, out T value) && !valid(value))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} {value}: {rule}"));
            }
        });
        return option;
    }

    /// <summary>Fails the parse when <paramref name="check"/> throws a <see cref="FormatException"/> for a value given.</summary>
    public static Option<T> Parses<T>(this Option<T> option, Action<T> check)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0)
            {
                return;
            }

            try
            {
                if (TryGetValue(result, out T value))
                {
                    check(value);
                }
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                result.AddError(e.Message.StartsWith(option.Name, StringComparison.Ordinal) ? e.Message : $"{option.Name}: {e.Message}");
            }
        });
        return option;
    }

    /// <summary>The value, unless it did not convert (<c>--rate abc</c>): the parser reports that one itself.</summary>
    private static bool TryGetValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>A duration option (<c>250ms</c>, <c>2s</c>, <c>1m</c>) that must be more than zero, or zero or more.</summary>
    public static Option<string> Duration(this Option<string> option, bool zeroAllowed) => option.Parses(text =>
    {
        if (Durations.Parse(text) == TimeSpan.Zero && !zeroAllowed)
        {
            throw new FormatException($"{option.Name} {text}: must be more than 0.");
        }
    });
}
