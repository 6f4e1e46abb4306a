using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Graceful.AspNetCore.Configuration;

/// <summary>An option that holds a list of strings, bound from indexed keys (<c>Command:0</c>, <c>Command:1</c>, ...).</summary>
internal sealed class ListOption<TOptions>(string key, Func<TOptions, IList<string>> list, string valuesDoc, string description, string empty)
    : OptionDescriptor<TOptions>(key, description)
{
    public override string ValuesDoc => valuesDoc;

    public override string KeyDoc(string section) => $"`{section}:{Key}:0`, `:1`, ...";

    /// <summary>The default items; <c>empty</c> says what an empty list means (<c>own command line</c>).</summary>
    public override string DefaultDoc(TOptions defaults) =>
        list(defaults) is { Count: > 0 } items ? string.Join(", ", items.Select(i => $"`{i}`")) : empty;

    // Configured items replace the default ones, read in index order; none configured leaves the default.
    public override void Bind(IConfigurationSection section, TOptions options, List<string> errors)
    {
        var items = section.GetSection(Key).GetChildren()
            .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .Select(c => c.Value)
            .OfType<string>()
            .ToList();
        if (items.Count == 0)
        {
            return;
        }

        var target = list(options);
        target.Clear();
        items.ForEach(target.Add);
    }

    // Rules on items that depend on other options are cross-option rules.
    public override void Validate(string section, TOptions options, List<string> errors)
    {
    }
}
