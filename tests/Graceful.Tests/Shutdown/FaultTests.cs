using static Graceful.Tests.GracefulEvents;

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

        Assert.Equal("throws", Assert.Single(service.Events(HookFailed))["Hook"]);
        Assert.Contains("[hook] after-throwing ran", service.Lines);
        var hooks = Assert.Single(service.Events(HooksRan));
        Assert.Equal((2, 1), (hooks.Number("Count"), hooks.Number("Failed")));
    }

    [Fact]
    public async Task UnwritableReportPath_IsLogged_AndTheExitIsZero()
    {
        var folder = Path.Combine(_folder, "reports");
        Directory.CreateDirectory(folder);
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Graceful__ReportPath"] = Path.Combine(folder, "report.json") });
        Directory.Delete(folder);

        await DrainASlowRequestAsync(service);

        Assert.Equal(Path.Combine(folder, "report.json"), Assert.Single(service.Events(ReportWriteFailed))["Path"]);
    }

    [Fact]
    public async Task MissingPidFileFolder_IsLogged_AndTheExitIsZero()
    {
        var folder = Path.Combine(_folder, "run");
        Directory.CreateDirectory(folder);
        var pidFile = Path.Combine(folder, "app.pid");
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Graceful__PidFile"] = pidFile });
        // Written before the "Application started" line.
        await service.WaitForEventAsync(ApplicationStarted, Generous);
        Assert.True(File.Exists(pidFile));
        Directory.Delete(folder, recursive: true);

        await DrainASlowRequestAsync(service);

        Assert.Equal(pidFile, Assert.Single(service.Events(PidFileGone))["Path"]);
    }

    [Fact]
    public async Task ThrowingLoggingProvider_IsReportedOnceOnStandardError_AndTheDrainCompletes()
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string> { ["Hostile__ThrowingLogger"] = "true" });
        await DrainASlowRequestAsync(service);

        Assert.Single(service.Lines, l => l.Contains("Graceful: a logging provider failed (IOException: the log sink is gone)"));
        // The console provider still has every line: the framework wrote to it before the broken one threw.
        Assert.Single(service.Events(Drained));
    }

    private static async Task DrainASlowRequestAsync(ServiceProcess service)
    {
        using var connection = await service.StartRequestUntilDrainingAsync();
        service.Signal(Signals.SIGTERM);
        Assert.Equal(200, (await connection.ReadResponseAsync()).StatusCode);
        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        // The exit line's facts from the events (one test here makes the report itself unwritable).
        Assert.Contains(service.Events(ShutdownStarted), e => e["Trigger"] == "SIGTERM");
        Assert.Equal(1, Assert.Single(service.Events(Drained)).Number("Requests"));
        Assert.Equal(0, Assert.Single(service.Events(Exited)).Number("ExitCode"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Unhandled exception"));
    }
}
