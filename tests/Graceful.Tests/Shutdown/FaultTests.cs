namespace Graceful.Tests.Shutdown;

/// <summary>A fault in one of the pieces never changes the drain's outcome: it is logged, and the exit code is the drain's (0 here).</summary>
public sealed class FaultTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("graceful-faults-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task ThrowingHook_IsLogged_TheNextHookRuns_AndTheExitIsZero()
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Hostile__ThrowingHook"] = "true" });
        await DrainASlowRequestAsync(service);

        Assert.Contains(service.Lines, l => l.Contains("Shutdown hook throws failed after") && l.Contains("the next hook runs"));
        Assert.Contains("[hook] after-throwing ran", service.Lines);
        Assert.Contains(service.Lines, l => l.Contains("ran 2 shutdown hooks (1 failed or timed out)"));
    }

    [Fact]
    public async Task UnwritableReportPath_IsLogged_AndTheExitIsZero()
    {
        var folder = Path.Combine(_folder, "reports");
        Directory.CreateDirectory(folder);
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Graceful__ReportPath"] = Path.Combine(folder, "report.json") });
        Directory.Delete(folder);

        await DrainASlowRequestAsync(service);

        Assert.Contains(service.Lines, l => l.Contains($"Could not write the shutdown report to {Path.Combine(folder, "report.json")}"));
    }

    [Fact]
    public async Task MissingPidFileFolder_IsLogged_AndTheExitIsZero()
    {
        var folder = Path.Combine(_folder, "run");
        Directory.CreateDirectory(folder);
        var pidFile = Path.Combine(folder, "app.pid");
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Graceful__PidFile"] = pidFile });
        // Written before the "Application started" line.
        await service.WaitForLineAsync(l => l.Contains("Application started"), Generous);
        Assert.True(File.Exists(pidFile));
        Directory.Delete(folder, recursive: true);

        await DrainASlowRequestAsync(service);

        Assert.Contains(service.Lines, l => l.Contains($"{pidFile} was already gone at exit"));
    }

    [Fact]
    public async Task ThrowingLoggingProvider_IsReportedOnceOnStandardError_AndTheDrainCompletes()
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Hostile__ThrowingLogger"] = "true" });
        await DrainASlowRequestAsync(service);

        Assert.Single(service.Lines, l => l.Contains("Graceful: a logging provider failed (IOException: the log sink is gone)"));
        // The console provider still has every line: the framework wrote to it before the broken one threw.
        Assert.Contains(service.Lines, l => l.Contains("Phase 3/5 drain"));
    }

    private static async Task DrainASlowRequestAsync(ServiceProcess service)
    {
        using var connection = await service.StartSlowRequestAsync(TimeSpan.FromSeconds(1));
        service.Signal(Signals.SIGTERM);
        Assert.Equal(200, (await connection.ReadResponseAsync()).StatusCode);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Contains(service.Lines, l => l.Contains("exit code 0 after SIGTERM") && l.Contains("1 completed"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Unhandled exception"));
    }
}
