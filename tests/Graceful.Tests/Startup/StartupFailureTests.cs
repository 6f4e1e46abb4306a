using System.Net;
using System.Net.Sockets;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;

namespace Graceful.Tests.Startup;

/// <summary>Bad input gets a clear error and a non-zero exit, before the service serves anything.</summary>
public class StartupFailureTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PortInUse_ExitsNonZero_WithOneClearLine()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", $"http://127.0.0.1:{port}"], waitForListening: false);

        Assert.Equal(GracefulHostExtensions.StartupFailedExitCode, await service.WaitForExitAsync(Generous));
        // One line says it, on standard error; no log line repeats it, and no stack trace precedes it.
        var line = Assert.Single(service.Lines, l => l.Contains($"127.0.0.1:{port}"));
        Assert.StartsWith("SlowService: cannot start: ", line);
        Assert.Contains("address already in use", line);
        Assert.Contains(line, service.ErrorLines);
        Assert.DoesNotContain(service.Lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Now listening"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Unhandled exception"));
    }

    [Fact]
    public async Task PortInUse_UnderPlainAppRun_StillLogsTheHostsOwnReport()
    {
        // Only RunGracefullyAsync, which reports the failure itself, leaves the host's report out: HostileApp runs app.Run().
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        await using var app = await ServiceProcess.StartAsync(HostileApp.Dll, ["--urls", $"http://127.0.0.1:{port}"], waitForListening: false);

        Assert.NotEqual(0, await app.WaitForExitAsync(Generous));
        Assert.Contains(app.Lines, l => l.Contains("Hosting failed to start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadCommandLineOption_PrintsTheErrorAlone_WithAHintToHelp()
    {
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", "http://127.0.0.1:0", "--pre-stop-delay", "soon"], waitForListening: false);

        Assert.Equal(GracefulHostExtensions.StartupFailedExitCode, await service.WaitForExitAsync(Generous));
        Assert.Collection(service.Lines,
            error => Assert.StartsWith("SlowService: --pre-stop-delay: 'soon' is not a duration", error),
            hint => Assert.Equal("Run 'SlowService --help' for the options.", hint));
        Assert.Equal(service.Lines, service.ErrorLines);
    }

    [Fact]
    public async Task Help_ShowsDefaultsAsTheOptionsAreWritten_NotAsTimeSpans()
    {
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--help"], waitForListening: false);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.Contains(service.Lines, l => l.Contains("--slow", StringComparison.Ordinal) && l.Contains("Default 30s", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Lines, l => l.Contains("[default: 00:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidCommandLineDuration_ExitsNonZero_NamingTheOption()
    {
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", "http://127.0.0.1:0", "--shutdown-timeout", "banana"], waitForListening: false);

        Assert.NotEqual(0, await service.WaitForExitAsync(Generous));
        Assert.Contains(service.Lines, l => l.Contains("--shutdown-timeout: 'banana' is not a duration"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Now listening"));
    }

    [Theory]
    [InlineData("Graceful__DrainTimeout", "banana", "Graceful:DrainTimeout: 'banana' is not a duration")]
    [InlineData("Graceful__HookTimeout", "-00:00:01", "Graceful:HookTimeout must be a positive duration or infinite")]
    [InlineData("Graceful__Limits__MaxHeaderBytes", "10", "Graceful:Limits:MaxHeaderBytes must be at least 1024")]
    [InlineData("Graceful__Limits__WriteTimeout", "soon", "Graceful:Limits:WriteTimeout: 'soon' is not a duration")]
    [InlineData("Graceful__Upgrade__Signal", "SIGKILL", "Graceful:Upgrade:Signal must be SIGHUP, SIGUSR1 or SIGUSR2 (was 'SIGKILL')")]
    [InlineData("Graceful__Upgrade__ReadyTimeout", "infinite", "Graceful:Upgrade:ReadyTimeout must be a positive duration")]
    [InlineData("Graceful__PidFile", "/no/such/folder/app.pid", "Graceful:PidFile: the folder '/no/such/folder' does not exist")]
    public async Task InvalidConfiguration_FailsAtStart_NamingTheOption(string variable, string value, string expected)
    {
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { [variable] = value }, waitForListening: false);

        Assert.Equal(GracefulHostExtensions.StartupFailedExitCode, await service.WaitForExitAsync(Generous));
        Assert.Contains(service.Lines, l => l.Contains(expected));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Now listening"));
    }
}
