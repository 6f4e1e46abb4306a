namespace Graceful.Tests.Packaging;

/// <summary>Runs the dotnet CLI as a developer would, and fails with its output when it fails.</summary>
internal static class DotnetCommand
{
    /// <summary>Runs <c>dotnet args</c> (paths absolute) and returns its output.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(TimeSpan timeout, params string[] args)
    {
        // No build server or reused MSBuild node may outlive the command: it would hold the output pipes open.
        await using var process = await ServiceProcess.StartAsync("dotnet", [.. args, "--disable-build-servers"],
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["MSBUILDDISABLENODEREUSE"] = "1" },
            waitForListening: false);
        var exitCode = await process.WaitForExitAsync(timeout);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', args)} exited with {exitCode}:\n{process.Output}");
        return process.Lines;
    }
}
