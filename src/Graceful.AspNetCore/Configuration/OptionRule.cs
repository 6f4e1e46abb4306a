namespace Graceful.AspNetCore.Configuration;

/// <summary>A check on one option's value, declared once for the validator and the docs.</summary>
/// <param name="Doc">What the docs say the option accepts, e.g. <c>a positive duration or `infinite`</c>.</param>
/// <param name="IsValid">Whether a value passes.</param>
/// <param name="Problem">The error's text after the key, e.g. <c> must be at least 1024 (was 10).</c></param>
internal sealed record OptionRule<T>(string Doc, Func<T, bool> IsValid, Func<T, string> Problem);
