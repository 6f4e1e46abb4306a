using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using Graceful.AspNetCore;
using static ArchUnitNET.Fluent.Slices.SliceRuleDefinition;

namespace Graceful.Tests.Architecture;

/// <summary>
/// The library's folders are layers (docs/design.md, "Layers"): an arrow between two folders points one way. Each
/// folder's internal types live in the folder's namespace, so a cycle between namespaces is a cycle between folders.
/// Public types keep <c>Graceful.AspNetCore</c> (and the extension methods Microsoft's namespaces), outside the slices.
/// </summary>
public class FolderLayersTests
{
    private const string CycleFixture = "Graceful.Tests.Architecture.CycleFixture";
    private const string AcyclicFixture = "Graceful.Tests.Architecture.AcyclicFixture";

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Library =
        new(() => new ArchLoader().LoadAssemblies(typeof(GracefulOptions).Assembly).Build());

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Fixtures =
        new(() => new ArchLoader().LoadAssemblies(typeof(FolderLayersTests).Assembly).Build());

    /// <summary>Top-level folders (Hosting, Shutdown, Transport, ...) as slices: no cycle among them.</summary>
    public static IArchRule TopLevelFoldersFreeOfCycles(string root) => Slices().Matching(root + ".(*)..").Should().BeFreeOfCycles();

    /// <summary>Every folder, nested ones included (Transport.Connections, Transport.Requests, ...), as its own slice.</summary>
    public static IArchRule EveryFolderFreeOfCycles(string root) => Slices().Matching(root + ".(**)").Should().BeFreeOfCycles();

    [Fact]
    public void TopLevelFolders_DependOnEachOtherOneWayOnly() =>
        AssertHolds(TopLevelFoldersFreeOfCycles("Graceful.AspNetCore"), Library.Value);

    [Fact]
    public void NestedFolders_DependOnEachOtherOneWayOnly() =>
        AssertHolds(EveryFolderFreeOfCycles("Graceful.AspNetCore"), Library.Value);

    [Fact]
    public void TheRules_FailOnAFixtureWithACycle()
    {
        // Alpha -> Beta -> Alpha, one level down, and Deep.One <-> Deep.Two two levels down.
        Assert.False(TopLevelFoldersFreeOfCycles(CycleFixture).HasNoViolations(Fixtures.Value));
        Assert.False(EveryFolderFreeOfCycles(CycleFixture + ".Deep").HasNoViolations(Fixtures.Value));
    }

    [Fact]
    public void TheRules_PassOnAFixtureWithoutACycle() =>
        AssertHolds(EveryFolderFreeOfCycles(AcyclicFixture), Fixtures.Value);

    [Fact]
    public void TheLibrary_HasTheFoldersTheRulesAreAbout()
    {
        // A rule over slices that match nothing would pass vacuously.
        var namespaces = Library.Value.Namespaces.Select(n => n.FullName).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "Graceful.AspNetCore.Hosting", "Graceful.AspNetCore.Upgrades", "Graceful.AspNetCore.Shutdown",
            "Graceful.AspNetCore.Transport.Connections", "Graceful.AspNetCore.Diagnostics.Reporting", "Graceful.AspNetCore.Platform.Signals",
        }, namespaces);
    }

    private static void AssertHolds(IArchRule rule, ArchUnitNET.Domain.Architecture architecture)
    {
        var violations = rule.Evaluate(architecture).Where(r => !r.Passed).Select(r => r.Description).ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }
}
