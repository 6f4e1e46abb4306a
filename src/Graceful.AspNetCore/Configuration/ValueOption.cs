using Microsoft.Extensions.Configuration;

namespace Graceful.AspNetCore.Configuration;

/// <summary>An option that holds one value: a duration, a flag, a number, a name or a path.</summary>
internal sealed class ValueOption<TOptions, T>(
    string key, OptionValue<T> value, Func<TOptions, T> get, Action<TOptions, T> set, OptionRule<T>? rule, string description, string unset)
    : OptionDescriptor<TOptions>(key, description)
{
    public override string ValuesDoc => rule?.Doc ?? value.Doc;

    /// <summary>The default as <see cref="OptionValue{T}.Format"/> writes it; <c>unset</c> says what null means (<c>Kestrel's (`30s`)</c>).</summary>
    public override string DefaultDoc(TOptions defaults) => get(defaults) is { } current ? $"`{value.Format(current)}`" : unset;

    // A key that is absent leaves the default; one that does not parse is reported with its full path.
    public override void Bind(IConfigurationSection section, TOptions options, List<string> errors)
    {
        if (section[Key] is not { } text || (text.Length == 0 && value.EmptyIsUnset))
        {
            return;
        }

        if (value.TryParse(text, out var parsed))
        {
            set(options, parsed);
        }
        else
        {
            errors.Add($"{section.Path}:{Key}: '{text}' is not {value.Expected}.");
        }
    }

    // Reads the value only when there is a rule: every delegate called at start is one more method to JIT.
    public override void Validate(string section, TOptions options, List<string> errors)
    {
        if (rule is not null && get(options) is var current && !rule.IsValid(current))
        {
            errors.Add($"{section}:{Key}{rule.Problem(current)}");
        }
    }
}
