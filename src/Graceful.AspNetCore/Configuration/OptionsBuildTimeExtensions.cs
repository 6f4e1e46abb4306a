using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Configuration;

internal static class OptionsBuildTimeExtensions
{
    /// <summary>
    /// Reads Graceful's options for code that runs while the host is being built (WebApplication builds Kestrel
    /// then). An invalid value is left for <c>ValidateOnStart</c> to report when the host starts, with its key,
    /// instead of failing <c>Build()</c> with an unhandled exception.
    /// </summary>
    public static bool TryGetValid(this IOptions<GracefulOptions> options, [NotNullWhen(true)] out GracefulOptions? value)
    {
        try
        {
            value = options.Value;
            return true;
        }
        catch (OptionsValidationException)
        {
            value = null;
            return false;
        }
    }
}
