using Graceful.AspNetCore;
using Graceful.AspNetCore.Diagnostics.Reporting;
using Graceful.AspNetCore.Shutdown;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.Tests.Streams;

/// <summary>
/// HTTP/2 clients keeping streams in flight through the drain, seen frame by frame: no stream is lost, and with
/// <see cref="GracefulOptions.Http2GoAwayGrace"/> none is left unprocessed either (see docs/design.md, "HTTP/2 GOAWAY").
/// </summary>
public class Http2GoAwayTests(ITestOutputHelper output)
{
    private const int Connections = 8;
    private const int StreamsInFlight = 16;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    // 0 ms: answered synchronously, so each connection is idle between its client's batches; 5 ms: always busy.
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task GoAwayGrace_StreamsOpenedUntilTheFirstGoAway_AreAllServed_NoneUnprocessed(int handlerMs)
    {
        var (pumps, report) = await DrainUnderStreamsAsync(handlerMs, twoStep: true);

        Assert.All(pumps, p => Assert.True(p.TwoStep, $"GOAWAYs {string.Join(", ", p.GoAways)}: not the two-step form"));
        Assert.Equal(0, pumps.Sum(p => p.Lost));
        Assert.Equal(0, pumps.Sum(p => p.Unprocessed));
        Assert.Equal(new(Connections, 0), report.Http2);
    }

    // Kestrel's own behaviour, measured rather than asserted (it varies from run to run; docs/design.md has the numbers):
    // -explicit only -class "*Http2GoAwayTests"
    [Theory(Explicit = true)]
    [InlineData(0)]
    [InlineData(5)]
    public async Task Measure_WithoutGoAwayGrace(int handlerMs) => await DrainUnderStreamsAsync(handlerMs, twoStep: false);

    private async Task<(List<Http2StreamPump> Pumps, ShutdownReport Report)> DrainUnderStreamsAsync(int handlerMs, bool twoStep)
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/work", async () =>
            {
                if (handlerMs > 0)
                {
                    await Task.Delay(handlerMs);
                }

                return "ok";
            }),
            o => o.Http2GoAwayGrace = twoStep ? TimeSpan.FromMilliseconds(100) : TimeSpan.Zero,
            b => b.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2)));
        using var timeout = new CancellationTokenSource(Generous);
        var runs = new Task[Connections];
        var pumps = Enumerable.Range(0, Connections)
            .Select(i => Http2StreamPump.Start(app.BaseAddress, "/work", StreamsInFlight, warmAfter: 200, timeout.Token, out runs[i]))
            .ToList();
        await Task.WhenAll(pumps.Select(p => p.Warm)).WaitAsync(Generous);

        var drained = await app.Shutdown.ShutdownAsync().WaitAsync(Generous);
        await Task.WhenAll(runs).WaitAsync(Generous);

        Assert.True(drained.Completed);
        await app.App.StopAsync();
        var result = await app.App.Services.GetRequiredService<ShutdownCoordinator>().Completion.WaitAsync(Generous);
        output.WriteLine($"handler {handlerMs} ms, grace {(twoStep ? "100ms" : "0 (Kestrel)")}: {pumps.Count(p => p.TwoStep)}/{Connections} two-step, " +
            $"{pumps.Sum(p => p.Completed)} completed, {pumps.Sum(p => p.Unprocessed)} unprocessed, {pumps.Sum(p => p.Lost)} lost; " +
            $"report {result.Report.Http2}");
        foreach (var pump in pumps.Where(p => p.Lost > 0 || p.Unprocessed > 0))
        {
            output.WriteLine($"  GOAWAYs {string.Join(", ", pump.GoAways)}: {string.Join("; ", pump.Notes)}");
        }

        return (pumps, result.Report);
    }
}
