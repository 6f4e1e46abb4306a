using System.Xml.Linq;

namespace Graceful.Tests.Packaging;

/// <summary>
/// The library packed once per test run, as <c>dotnet pack</c> makes it for a release, into a temporary folder that
/// serves as a local package source; removed at the end.
/// </summary>
public sealed class PackedLibrary : IAsyncLifetime
{
    public const string Id = "Graceful.AspNetCore";

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    public string Folder { get; } = Directory.CreateTempSubdirectory("graceful-pack-").FullName;

    /// <summary>The one version of the repository (<c>VersionPrefix</c> in Directory.Build.props).</summary>
    public string Version { get; } = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props"))
        .Descendants("VersionPrefix").Single().Value;

    public string Package => Path.Combine(Folder, $"{Id}.{Version}.nupkg");

    public string Symbols => Path.Combine(Folder, $"{Id}.{Version}.snupkg");

    public async ValueTask InitializeAsync() =>
        await DotnetCommand.RunAsync(PackTimeout, "pack", Path.Combine(RepoPaths.Root, "src", Id, $"{Id}.csproj"), "--configuration", "Release", "--output", Folder);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The tests that need the packed library share one pack.</summary>
[CollectionDefinition(Name)]
public sealed class OnePack : ICollectionFixture<PackedLibrary>
{
    public const string Name = "One pack of the library";
}
