using System.Reflection;

namespace Graceful.TestSupport;

/// <summary>Where the repository's built programs are, found from the test assembly's location.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The built program of a project under <paramref name="projectDir"/> (e.g. samples/SlowService).</summary>
    public static string ProgramDll(string projectDir)
    {
        var name = Path.GetFileName(projectDir);
        var dll = Path.Combine(Root, projectDir, "bin", Configuration, "net10.0", name + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is not built; the test project's ProjectReference should build it.", dll);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Graceful.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Graceful.slnx not found above " + AppContext.BaseDirectory);
    }
}
