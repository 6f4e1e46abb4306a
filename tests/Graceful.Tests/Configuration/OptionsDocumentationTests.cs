using Graceful.AspNetCore.Configuration;

namespace Graceful.Tests.Configuration;

/// <summary>The README's options table is the one the declaration writes, so the docs cannot drift from the code.</summary>
public class OptionsDocumentationTests
{
    private const string Begin = "<!-- options table: written by OptionsMarkdown from GracefulOptionsDeclaration; see OptionsDocumentationTests -->\n";
    private const string End = "<!-- end of options table -->\n";

    [Fact]
    public void ReadmeOptionsTable_IsTheDeclarations()
    {
        var readmePath = Path.Combine(RepoPaths.Root, "README.md");
        var readme = File.ReadAllText(readmePath);
        var expected = OptionsMarkdown.Table(GracefulOptionsDeclaration.Table);

        var (start, length) = Block(readme);
        var actual = readme.Substring(start, length);

        // GRACEFUL_WRITE_DOCS=1 rewrites the block instead (then review the README diff); the comparison still runs.
        if (Environment.GetEnvironmentVariable("GRACEFUL_WRITE_DOCS") == "1" && actual != expected)
        {
            File.WriteAllText(readmePath, readme[..start] + expected + readme[(start + length)..]);
            actual = expected;
        }

        if (actual != expected)
        {
            Assert.Fail($"README.md's options table differs from GracefulOptionsDeclaration. Run the tests with GRACEFUL_WRITE_DOCS=1 to rewrite it, or make it:\n{expected}");
        }
    }

    [Fact]
    public void EveryOption_AndEveryRuleBetweenOptions_IsInTheTable()
    {
        var table = GracefulOptionsDeclaration.Table;
        var markdown = OptionsMarkdown.Table(table);

        Assert.All(table.Descriptors, d => Assert.Contains($"`Graceful:{d.Key}", markdown, StringComparison.Ordinal));
        Assert.All(table.CrossRules, r => Assert.Contains("- " + r.Doc + "\n", markdown, StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_AreReadFromTheOptionsClass_AsAnOperatorWritesThem()
    {
        var markdown = OptionsMarkdown.Table(GracefulOptionsDeclaration.Table);

        Assert.Contains("| `Graceful:DrainTimeout` | `infinite` | a positive duration or `infinite` |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `Graceful:PreStopMaxDelay` | `15s` | a duration |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `Graceful:PreStopDelay` | `0` |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `Graceful:PreStopCloseConnections` | `None` | `None`, `AfterDelay` or `FromStart` |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `Graceful:Upgrade:Command:0`, `:1`, ... | own command line |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `Graceful:Limits:ReadTimeout` | none |", markdown, StringComparison.Ordinal);
    }

    private static (int Start, int Length) Block(string readme)
    {
        var begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README.md has no options table between the markers:\n" + Begin + End);
        var start = begin + Begin.Length;
        return (start, end - start);
    }
}
