using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Xml.Linq;

namespace Graceful.Tests.Packaging;

/// <summary>The library's package as nuget.org and a consumer's debugger would see it.</summary>
[Collection(OnePack.Name)]
public class PackageTests(PackedLibrary packed)
{
    private const string Lib = "lib/net10.0/" + PackedLibrary.Id;

    [Fact]
    public void Nuspec_HasTheLicenseReadmeTagsAuthorsAndTheRepositorysOneVersion_AndNoDependencies()
    {
        using var package = ZipFile.OpenRead(packed.Package);
        var metadata = Metadata(package);
        var ns = metadata.Name.Namespace;
        string? Field(string name) => metadata.Element(ns + name)?.Value;

        var license = metadata.Element(ns + "license");
        Assert.Equal("expression", license?.Attribute("type")?.Value);
        Assert.Equal("MIT", license?.Value);
        Assert.Equal("README.md", Field("readme"));
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")), Read(package, "README.md"));
        Assert.Contains("aspnetcore", Field("tags")?.Split(' ') ?? []);
        Assert.NotEqual(PackedLibrary.Id, Field("authors"));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        Assert.Equal(packed.Version, Field("version"));
        // Only the shared framework, which every ASP.NET Core app has.
        Assert.Empty(metadata.Descendants(ns + "dependency"));
    }

    [Fact]
    public void Nuspec_NamesARepository_OnlyWhenTheCloneHasAReachableRemote()
    {
        using var package = ZipFile.OpenRead(packed.Package);
        var metadata = Metadata(package);
        var url = metadata.Element(metadata.Name.Namespace + "repository")?.Attribute("url")?.Value;

        if (OriginUrl() is { } remote && remote.StartsWith("https://", StringComparison.Ordinal))
        {
            Assert.StartsWith("https://", url);
        }
        else
        {
            // No remote, or a local folder's path (as CI clones): nothing a package's user could reach.
            Assert.Null(url);
        }
    }

    [Fact]
    public void Symbols_AreInTheSnupkg_AndNoBinaryHoldsTheBuildMachinesPaths()
    {
        using var package = ZipFile.OpenRead(packed.Package);
        using var symbols = ZipFile.OpenRead(packed.Symbols);
        var dll = Bytes(package, Lib + ".dll");
        var pdb = Bytes(symbols, Lib + ".pdb");

        using (var pe = new PEReader(new MemoryStream(dll)))
        {
            var codeView = pe.ReadDebugDirectory().First(e => e.Type == DebugDirectoryEntryType.CodeView);
            Assert.StartsWith("/_/", pe.ReadCodeViewDebugDirectoryData(codeView).Path);
        }

        foreach (var (name, bytes) in new[] { ("dll", dll), ("pdb", pdb) })
        {
            foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
            {
                Assert.False(bytes.AsSpan().IndexOf(encoding.GetBytes(RepoPaths.Root)) >= 0, $"the {name} holds {RepoPaths.Root} ({encoding.WebName})");
            }
        }
    }

    private static XElement Metadata(ZipArchive package)
    {
        var nuspec = XDocument.Load(new MemoryStream(Bytes(package, PackedLibrary.Id + ".nuspec")));
        return nuspec.Root!.Element(nuspec.Root.Name.Namespace + "metadata")!;
    }

    private static string Read(ZipArchive zip, string entry) => Encoding.UTF8.GetString(Bytes(zip, entry));

    private static byte[] Bytes(ZipArchive zip, string entry)
    {
        var found = zip.GetEntry(entry) ?? throw new InvalidOperationException($"{entry} is not in the package: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var stream = found.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string? OriginUrl()
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["-C", RepoPaths.Root, "remote", "get-url", "origin"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var url = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 && url.Length > 0 ? url : null;
    }
}
