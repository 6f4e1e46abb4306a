using System.Globalization;
using Graceful.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Graceful.Tests.Upgrades;

/// <summary><see cref="IGracefulShutdown.UpgradeAsync"/>: the same upgrade as SIGHUP, started from code.</summary>
public sealed class ProgrammaticUpgradeTests
{
    [Fact]
    public async Task UpgradeAsync_HandsTheListenerToTheSuccessor_MatchedByItsConfiguredEndpoint()
    {
        using var chain = new UpgradedProcesses();
        // In-process Kestrel on 127.0.0.1:0; the successor (the sample) asks for the same endpoint, so it is given this socket, port and all.
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/pid", () => Environment.ProcessId.ToString(CultureInfo.InvariantCulture)),
            o =>
            {
                o.Upgrade.Enabled = true;
                o.PidFile = chain.PidFile;
                foreach (var part in (string[])["dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0"])
                {
                    o.Upgrade.Command.Add(part);
                }
            });

        var result = await app.Shutdown.UpgradeAsync(TestContext.Current.CancellationToken);
        chain.Track(result.SuccessorProcessId ?? 0);

        Assert.Equal(UpgradeOutcome.HandedOver, result.Outcome);
        Assert.Null(result.Reason);
        Assert.Equal(result.SuccessorProcessId, PidFiles.Read(chain.PidFile));
        Assert.True(app.Shutdown.IsShuttingDown);
        Assert.Equal(UpgradeOutcome.ShuttingDown, (await app.Shutdown.UpgradeAsync(TestContext.Current.CancellationToken)).Outcome);

        // Once this host has stopped, the same address is answered by the successor.
        await app.App.WaitForShutdownAsync(TestContext.Current.CancellationToken).WaitAsync(UpgradedProcesses.Generous, TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        Assert.Equal(result.SuccessorProcessId?.ToString(CultureInfo.InvariantCulture), await client.GetStringAsync("/pid", TestContext.Current.CancellationToken));
    }
}
