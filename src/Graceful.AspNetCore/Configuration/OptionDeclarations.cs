namespace Graceful.AspNetCore.Configuration;

/// <summary>
/// Short names for declaring an <see cref="OptionTable{TOptions}"/>: a declaration class derives from this so that
/// each entry reads as one line of the table.
/// </summary>
internal abstract class OptionDeclarations<TOptions>
{
    protected static ValueOption<TOptions, T> Value<T>(
        string key, OptionValue<T> value, Func<TOptions, T> get, Action<TOptions, T> set, OptionRule<T>? rule, string description,
        string unset = "none") =>
        new(key, value, get, set, rule, description, unset);

    protected static ListOption<TOptions> List(string key, Func<TOptions, IList<string>> list, string valuesDoc, string description,
        string empty = "none") =>
        new(key, list, valuesDoc, description, empty);

    protected static CrossOptionRule<TOptions> Rule(string key, string doc, Func<TOptions, string, IEnumerable<string>> problems) =>
        new(key, doc, problems);

    /// <summary>One error when <paramref name="broken"/>, none otherwise.</summary>
    protected static IEnumerable<string> ErrorIf(bool broken, Func<string> error) => broken ? [error()] : [];
}
