namespace Graceful.AspNetCore.Configuration;

/// <summary>One kind of option value: how it is read from configuration text, and how errors and docs name it.</summary>
/// <param name="TryParse">Reads the text; false when it is not a value of this kind.</param>
/// <param name="Expected">What is accepted, for the error <c>Graceful:Key: 'text' is not ...</c>.</param>
/// <param name="Doc">What the docs say it accepts when no rule narrows it.</param>
/// <param name="Format">Writes a value the way an operator sets it (<c>15s</c>, <c>true</c>), for defaults and errors.</param>
/// <param name="EmptyIsUnset">An empty string leaves the default, as for paths; otherwise it is a bad value.</param>
internal sealed record OptionValue<T>(
    OptionValue<T>.Parser TryParse, string Expected, string Doc, Func<T, string> Format, bool EmptyIsUnset = false)
{
    public delegate bool Parser(string text, out T value);
}
