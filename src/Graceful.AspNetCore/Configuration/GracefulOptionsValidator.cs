namespace Graceful.AspNetCore.Configuration;

/// <summary>Rejects values Graceful cannot honour, by the rules <see cref="GracefulOptionsDeclaration"/> declares, naming each option by its configuration key.</summary>
internal sealed class GracefulOptionsValidator() : OptionTableValidator<GracefulOptions>(GracefulOptionsDeclaration.Table);
