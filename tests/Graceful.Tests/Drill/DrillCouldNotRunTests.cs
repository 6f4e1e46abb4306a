namespace Graceful.Tests.Drill;

/// <summary>Every way the drill cannot run ends the same: exit 2, one line on stderr, no stack trace.</summary>
public class DrillCouldNotRunTests
{
    [Fact]
    public async Task ServiceCommandThatDoesNotExist_ExitsTwo_WithOneLineAndNoStackTrace()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--", "/nonexistent/graceful-drill-service", "--port", "1");

        AssertCouldNotRun(drill, "graceful-drill: Cannot start the service '/nonexistent/graceful-drill-service': No such file or directory.");
    }

    [Fact]
    public async Task ServiceThatExitsBeforeListening_ExitsTwo_WithItsExitCode_AndItsOutputOnStdout()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--", "sh", "-c", "echo starting up; echo missing config >&2; exit 7");

        AssertCouldNotRun(drill, "graceful-drill: The service exited with code 7 before it said where it listens ('Now listening on: http://...').");
        Assert.Contains("  missing config", drill.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--rate", "abc", "'--rate'")]
    [InlineData("--rate", "-5", "--rate -5: must be 0 (unpaced)")]
    [InlineData("--concurrency", "0", "--concurrency 0: must be at least 1.")]
    [InlineData("--expect-status", "2x", "--expect-status '2x': '2x' is neither a status code")]
    [InlineData("--timeout", "0s", "--timeout 0s: must be more than 0.")]
    [InlineData("--tail", "3", "--tail: '3' is not a duration")]
    [InlineData("--url", "https://127.0.0.1:1", "--url 'https://127.0.0.1:1': use http://HOST:PORT")]
    [InlineData("--signal", "TERM@soon", "--signal: 'soon' is not a duration")]
    [InlineData("--request", "GET /ping", "--request: 'GET /ping' is not a request")]
    public async Task BadOptionValue_ExitsTwo_WithOneLineNamingTheOption(string option, string value, string expected)
    {
        var marker = Path.Combine(Path.GetTempPath(), $"drill-never-started-{Guid.NewGuid():N}");
        using var drill = await GracefulDrill.RunAsync("signal", option, value, "--", "touch", marker);

        var line = AssertCouldNotRun(drill);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        // Checked while parsing: the service was never started.
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task ReportFolderThatCannotBeWritten_ExitsTwo_BeforeTheServiceStarts()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"drill-never-started-{Guid.NewGuid():N}");
        using var drill = await GracefulDrill.RunAsync(["signal", "--out", "/proc/graceful-drill", "--", "touch", marker], withOutputFolder: false);

        Assert.StartsWith("graceful-drill: --out /proc/graceful-drill: cannot write the reports there", AssertCouldNotRun(drill), StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task UrlWhoseHostDoesNotResolve_ExitsTwo_WithOneLine_BeforeTheServiceStarts()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"drill-never-started-{Guid.NewGuid():N}");
        using var drill = await GracefulDrill.RunAsync("signal", "--url", "http://no-such-host.invalid:8080", "--", "touch", marker);

        Assert.StartsWith("graceful-drill: http://no-such-host.invalid:8080/: cannot resolve no-such-host.invalid", AssertCouldNotRun(drill), StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task CtrlCDuringTheLoad_StopsTheService_WritesTheReports_ExitsTwo()
    {
        var folder = Directory.CreateTempSubdirectory("graceful-drill-").FullName;
        try
        {
            await using var drill = await ServiceProcess.StartAsync(GracefulDrill.DrillDll, ["signal", "--out", folder, "--signal", "TERM@60s", "--rate", "50", "-c", "2",
                "--", "dotnet", GracefulDrill.TestServerDll, "drain", "--urls", "http://127.0.0.1:0"], waitForListening: false);
            await drill.WaitForLineAsync(l => l.StartsWith("Load on ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            drill.Signal("SIGINT");

            Assert.Equal(2, await drill.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("graceful-drill: Interrupted before the scenario completed; the load and the service were stopped.", Assert.Single(drill.ErrorLines));
            using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "drill.json")));
            var exit = Assert.Single(json.RootElement.GetProperty("exits").EnumerateArray());
            Assert.Equal(0, exit.GetProperty("exitCode").GetInt32());
            Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(exit.GetProperty("pid").GetInt32()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string AssertCouldNotRun(GracefulDrill drill, string? line = null)
    {
        Assert.True(drill.ExitCode == 2, drill.ToString());
        var error = Assert.Single(drill.ErrorLines);
        if (line is not null)
        {
            Assert.Equal(line, error);
        }

        Assert.DoesNotContain("   at ", drill.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", drill.Output, StringComparison.Ordinal);
        return error;
    }
}
