namespace Graceful.AspNetCore.Configuration;

/// <summary>A rule between options (SoftDrainTimeout not later than DrainTimeout), declared beside the options it relates.</summary>
/// <param name="Key">The key its errors name first, below the section.</param>
/// <param name="Doc">The rule as the docs state it (Markdown, one sentence).</param>
/// <param name="Problems">Given the options and the section's name, one full error per problem found, each naming its keys.</param>
internal sealed record CrossOptionRule<TOptions>(string Key, string Doc, Func<TOptions, string, IEnumerable<string>> Problems);
