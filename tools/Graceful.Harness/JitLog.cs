namespace Graceful.Harness;

/// <summary>
/// The JIT's own list of the methods it compiles (<c>DOTNET_JitDisasmSummary=1</c>), written to the child's standard
/// output line by line, so the lines arrive in order with the app's own and a test can tell which came after a signal.
/// The JIT writes through C stdio, which buffers 4 KB at a time into a pipe or a file (<c>DOTNET_JitStdOutFile</c>):
/// counted from the file's size, up to about 30 methods compiled before the signal would be counted after it.
/// coreutils' libstdbuf (what <c>stdbuf -oL</c> preloads) makes that stream line-buffered.
/// </summary>
public static class JitLog
{
    private const string LineBuffering = "/usr/libexec/coreutils/libstdbuf.so";

    /// <summary>The environment that makes a child list what its JIT compiles, line by line, on standard output.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = File.Exists(LineBuffering)
        ? new Dictionary<string, string> { ["DOTNET_JitDisasmSummary"] = "1", ["LD_PRELOAD"] = LineBuffering, ["_STDBUF_O"] = "L" }
        : throw new InvalidOperationException($"{LineBuffering} (Debian's coreutils) is needed to read the JIT's list line by line.");

    /// <summary>
    /// The methods compiled for the first time in <paramref name="lines"/> from index <paramref name="from"/> on: Tier0,
    /// instrumented and fully optimized compilations. Tier-1 and on-stack replacement recompile a method already
    /// running, in the background, and are left out.
    /// </summary>
    public static IReadOnlyList<string> FirstCompilations(IReadOnlyList<string> lines, int from) =>
        [.. lines.Skip(from).Where(l => l.Contains("JIT compiled ", StringComparison.Ordinal) && !l.Contains("Tier1", StringComparison.Ordinal)
            && !l.Contains("OSR", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("JIT compiled ", StringComparison.Ordinal) + "JIT compiled ".Length)..])];
}
