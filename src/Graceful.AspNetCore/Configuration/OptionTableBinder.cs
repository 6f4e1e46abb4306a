using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Configuration;

/// <summary>Binds <typeparamref name="TOptions"/> from configuration through its <see cref="OptionTable{TOptions}"/>: no reflection, so NativeAOT-safe.</summary>
internal class OptionTableBinder<TOptions>(IConfiguration configuration, OptionTable<TOptions> table) : IConfigureOptions<TOptions>
    where TOptions : class
{
    public void Configure(TOptions options) => table.Bind(configuration, options);
}
