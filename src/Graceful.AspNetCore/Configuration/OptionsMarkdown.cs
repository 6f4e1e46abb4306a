using System.Globalization;
using System.Text;

namespace Graceful.AspNetCore.Configuration;

/// <summary>
/// Writes an <see cref="OptionTable{TOptions}"/> as the Markdown options table the docs show, so the docs come from
/// the same declaration as binding and validation (a test keeps the README's copy equal to it).
/// </summary>
internal static class OptionsMarkdown
{
    public static string Table<TOptions>(OptionTable<TOptions> table)
        where TOptions : new()
    {
        var defaults = new TOptions();
        var markdown = new StringBuilder()
            .Append("| key | default | accepts | what it bounds |\n")
            .Append("|---|---|---|---|\n");
        foreach (var option in table.Descriptors)
        {
            markdown.Append(CultureInfo.InvariantCulture, $"| {option.KeyDoc(table.Section)} | {option.DefaultDoc(defaults)} | {option.ValuesDoc} | {option.Description} |\n");
        }

        if (table.CrossRules.Count > 0)
        {
            markdown.Append("\nBetween options, also checked at start:\n\n");
            foreach (var rule in table.CrossRules)
            {
                markdown.Append("- ").Append(rule.Doc).Append('\n');
            }
        }

        return markdown.ToString();
    }
}
