using Microsoft.Extensions.Configuration;

namespace Graceful.AspNetCore.Configuration;

/// <summary>
/// Binds <see cref="GracefulOptions"/> from the <c>Graceful</c> section as <see cref="GracefulOptionsDeclaration"/>
/// declares them: durations in the operator's syntax (<c>5s</c>, <c>infinite</c>), no reflection under NativeAOT,
/// and a bad value fails at start with its full key (<c>Graceful:DrainTimeout</c>).
/// </summary>
internal sealed class GracefulOptionsBinder(IConfiguration configuration)
    : OptionTableBinder<GracefulOptions>(configuration, GracefulOptionsDeclaration.Table);
