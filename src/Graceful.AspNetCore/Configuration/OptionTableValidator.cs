using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Configuration;

/// <summary>Validates <typeparamref name="TOptions"/> through its <see cref="OptionTable{TOptions}"/>, naming each option by its configuration key.</summary>
internal class OptionTableValidator<TOptions>(OptionTable<TOptions> table) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options) => table.Validate(options);
}
