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
        Assert.Contains(service.Lines, l => l.StartsWith("SlowService: cannot start: ", StringComparison.Ordinal)
            && l.Contains($"127.0.0.1:{port}") && l.Contains("address already in use"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Now listening"));
        Assert.DoesNotContain(service.Lines, l => l.Contains("Unhandled exception"));
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
