using Microsoft.Extensions.Configuration;

namespace Graceful.AspNetCore.Configuration;

/// <summary>An option that holds one value: a duration, a flag, a number, a name or a path.</summary>
internal sealed class ValueOption<TOptions, T>(
    string key, OptionValue<T> value, Func<TOptions, T> get, Action<TOptions, T> set, OptionRule<T>? rule, string description)
    : OptionDescriptor<TOptions>(key, description)
{
    /// <summary>What the docs say the default is when it is null, e.g. <c>Kestrel's (`30s`)</c>.</summary>
    public string Unset { get; init; } = "none";

    public override string ValuesDoc => rule?.Doc ?? value.Doc;

    public override string DefaultDoc(TOptions defaults) => get(defaults) is { } current ? $"`{value.Format(current)}`" : Unset;

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

    public override void Validate(string section, TOptions options, List<string> errors)
    {
        var current = get(options);
        if (rule is not null && !rule.IsValid(current))
        {
            errors.Add($"{section}:{Key}{rule.Problem(current)}");
        }
    }
}
