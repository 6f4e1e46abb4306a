using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Configuration;

/// <summary>
/// Every option of <typeparamref name="TOptions"/> and the rules between them: what binds them from the
/// configuration section, validates them at start and writes their docs table. Adding an option is one entry here.
/// </summary>
internal sealed class OptionTable<TOptions>(
    string section, IReadOnlyList<OptionDescriptor<TOptions>> descriptors, IReadOnlyList<CrossOptionRule<TOptions>> crossRules)
{
    /// <summary>The configuration section the options bind from (<c>Graceful</c>).</summary>
    public string Section { get; } = section;

    public IReadOnlyList<OptionDescriptor<TOptions>> Descriptors { get; } = descriptors;

    public IReadOnlyList<CrossOptionRule<TOptions>> CrossRules { get; } = crossRules;

    /// <summary>
    /// Sets every option whose key is present. Values that do not parse fail together, each naming its full key,
    /// as an <see cref="OptionsValidationException"/> so that <c>ValidateOnStart</c> reports them at start.
    /// </summary>
    public void Bind(IConfiguration configuration, TOptions options)
    {
        var section = configuration.GetSection(Section);
        var errors = new List<string>();
        foreach (var descriptor in Descriptors)
        {
            descriptor.Bind(section, options, errors);
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), errors);
        }
    }

    /// <summary>Checks each option's own rule, then the rules between options; every problem is one error naming its key.</summary>
    public ValidateOptionsResult Validate(TOptions options)
    {
        var errors = new List<string>();
        foreach (var descriptor in Descriptors)
        {
            descriptor.Validate(Section, options, errors);
        }

        foreach (var rule in CrossRules)
        {
            errors.AddRange(rule.Problems(options, Section));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
