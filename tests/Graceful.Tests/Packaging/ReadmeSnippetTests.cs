using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Packaging;

/// <summary>A reader who follows the README: a fresh web app, the packed library, the README's code as pasted.</summary>
[Collection(OnePack.Name)]
public class ReadmeSnippetTests(PackedLibrary packed)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReadmeSnippets_CompileInAFreshWebApp_AgainstThePackage_AndItsProgramStopsGracefullyOnCtrlC()
    {
        var snippets = ReadmeSnippets.Read(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.True(snippets.Count >= 5, $"README.md has {snippets.Count} C# snippets: the reader was expected to find more");
        var folder = Directory.CreateTempSubdirectory("graceful-readme-").FullName;
        try
        {
            ReadmeSnippets.WriteApp(folder, snippets, packed.Folder, packed.Version);
            await DotnetCommand.RunAsync(TimeSpan.FromMinutes(5), "build", Path.Combine(folder, "ReadmeApp.csproj"));

            await using var app = await ServiceProcess.StartAsync(Path.Combine(folder, "bin", "Debug", "net10.0", "ReadmeApp.dll"),
                ["--urls", "http://127.0.0.1:0"]);
            using (var client = new HttpClient { BaseAddress = app.BaseAddress, Timeout = Generous })
            {
                Assert.Equal("hello", await client.GetStringAsync("/"));
            }

            app.Signal(Signals.SIGINT);
            Assert.Equal(0, await app.WaitForExitAsync(Generous));
            Assert.Contains(app.Lines, Exited.IsOn);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
