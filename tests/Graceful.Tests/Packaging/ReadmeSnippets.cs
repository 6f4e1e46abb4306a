using System.Text.RegularExpressions;

namespace Graceful.Tests.Packaging;

/// <summary>
/// The C# snippets of README.md, read from the file itself, written out as a fresh web app (as <c>dotnet new web</c>
/// makes: Sdk.Web, implicit usings, nullable) that references the packed library. The snippet that builds the app
/// is its Program.cs, as pasted; every other snippet becomes the body of a method whose parameters are the names the
/// README leaves to the reader's app (<c>builder</c>, <c>app</c>, <c>context</c>, ...), with the <c>using</c>
/// directives the README shows: a reader pastes them into the Program.cs that has them. Nothing adds a <c>using</c>
/// the README does not show (the scaffold names Graceful's types in full), so a snippet that needs
/// <c>using Graceful.AspNetCore;</c> compiles exactly while the README shows it; once the extension methods live in
/// Microsoft's namespaces, removing it from the README is what the test then checks. <c>#line</c> directives make each
/// compiler error point at README.md's own line.
/// </summary>
internal static partial class ReadmeSnippets
{
    /// <summary>The names the README's snippets use without declaring them, as the reader's own app has them.</summary>
    private const string Given = """
        using System.Runtime.CompilerServices;

        internal sealed class Telemetry
        {
            public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }

        internal sealed class Pool
        {
            public Task CloseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }

        internal static partial class Snippets
        {
            private static async IAsyncEnumerable<string> Ticks([EnumeratorCancellation] CancellationToken cancellationToken)
            {
                await Task.Yield();
                yield return "tick";
            }
        }
        """;

    private const string Parameters = "WebApplicationBuilder builder, WebApplication app, HttpContext context, "
        + "global::Graceful.AspNetCore.IShutdownTokens shutdown, CancellationTokenSource deadline, ILogger logger, Pool pool";

    public sealed record Snippet(int Line, IReadOnlyList<string> Lines)
    {
        public bool IsProgram => Lines.Any(l => l.Contains("WebApplication.CreateBuilder(args)", StringComparison.Ordinal));
    }

    /// <summary>Each <c>```csharp</c> block, with the README line its code starts on.</summary>
    public static IReadOnlyList<Snippet> Read(string readmePath)
    {
        var lines = File.ReadAllLines(readmePath);
        var snippets = new List<Snippet>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            var start = i + 1;
            var end = Array.FindIndex(lines, start, l => l.Trim() == "```");
            snippets.Add(new Snippet(start + 1, lines[start..end]));
            i = end;
        }

        return snippets;
    }

    /// <summary>Writes the app into <paramref name="folder"/>: project, package source, Program.cs and one file per snippet.</summary>
    public static void WriteApp(string folder, IReadOnlyList<Snippet> snippets, string packageFolder, string version)
    {
        // Stop MSBuild's and NuGet's search upwards: whatever sits in the temporary folder's parents is not the reader's.
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "ReadmeApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackedLibrary.Id}" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        // Only the packed library, extracted into the app's own folder: never a stale copy of the same version cached
        // in the user's global packages folder.
        File.WriteAllText(Path.Combine(folder, "NuGet.config"), $"""
            <configuration>
              <config><add key="globalPackagesFolder" value="packages" /></config>
              <packageSources><clear /><add key="packed" value="{packageFolder}" /></packageSources>
            </configuration>
            """);

        var program = Assert.Single(snippets, s => s.IsProgram);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), $"#line {program.Line} \"README.md\"\n{string.Join('\n', program.Lines)}\n");

        var usings = snippets.SelectMany(s => s.Lines).Where(l => UsingDirective().IsMatch(l)).Distinct().ToList();
        File.WriteAllText(Path.Combine(folder, "Given.cs"), Given);
        foreach (var (snippet, index) in snippets.Where(s => !s.IsProgram).Select((s, i) => (s, i)))
        {
            var body = snippet.Lines.Select(l => UsingDirective().IsMatch(l) ? "" : l);
            File.WriteAllText(Path.Combine(folder, $"Snippet{index}.cs"), $$"""
                {{string.Join('\n', usings)}}

                internal static partial class Snippets
                {
                    public static async Task Snippet{{index}}({{Parameters}})
                    {
                        await Task.Yield();
                #line {{snippet.Line}} "README.md"
                {{string.Join('\n', body)}}
                #line default
                    }
                }
                """);
        }
    }

    [GeneratedRegex(@"^using [A-Za-z0-9_.]+;\s*$")]
    private static partial Regex UsingDirective();
}
