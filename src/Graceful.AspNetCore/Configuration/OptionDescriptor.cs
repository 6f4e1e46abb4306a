using Microsoft.Extensions.Configuration;

namespace Graceful.AspNetCore.Configuration;

/// <summary>
/// One option, declared once: the key it binds from, what it accepts, and what the docs say about it. The binder,
/// the validator and the docs table all read the same descriptor (see <see cref="GracefulOptionsDeclaration"/>).
/// </summary>
internal abstract class OptionDescriptor<TOptions>(string key, string description)
{
    /// <summary>The key below the options' section, levels joined by ':' (<c>DrainTimeout</c>, <c>Limits:ReadTimeout</c>).</summary>
    public string Key { get; } = key;

    /// <summary>What the option does, as the docs table says it (Markdown).</summary>
    public string Description { get; } = description;

    /// <summary>What the option accepts, as the docs table says it (Markdown).</summary>
    public abstract string ValuesDoc { get; }

    /// <summary>How the docs table names the key.</summary>
    public virtual string KeyDoc(string section) => $"`{section}:{Key}`";

    /// <summary>The default, read from a freshly made options object, as the docs table shows it.</summary>
    public abstract string DefaultDoc(TOptions defaults);

    /// <summary>Sets the option from <paramref name="section"/> when its key is there; a value that does not parse adds an error naming the full key.</summary>
    public abstract void Bind(IConfigurationSection section, TOptions options, List<string> errors);

    /// <summary>Adds an error naming the full key when the option's own rule refuses its value.</summary>
    public abstract void Validate(string section, TOptions options, List<string> errors);
}
