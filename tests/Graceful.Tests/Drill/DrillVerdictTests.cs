namespace Graceful.Tests.Drill;

/// <summary>
/// A drill never passes a run that tested nothing: the responses are held against --expect-status, a 503 with
/// Retry-After from a draining service is told apart, and a load short of its rate is warned about.
/// </summary>
public class DrillVerdictTests
{
    [Fact]
    public async Task AppWithoutTheDrillsPath_EveryResponse404_DrillFailsWithOneReasonLine()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@800ms", "--rate", "100", "-c", "4", "--tail", "200ms",
            "--", "dotnet", GracefulDrill.TestServerDll, "notfound", "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 1, drill.ToString());
        var answered = drill.Statuses("answered");
        Assert.True(answered > 20, drill.ToString());
        Assert.Equal(0, drill.Statuses("expected"));
        Assert.Equal(answered, drill.Statuses("unexpected"));
        Assert.Contains(drill.Output.Split('\n'), line => line.Trim() ==
            $"None of the {answered} responses had an expected status (--expect-status 2xx): 404 ×{answered}. Check the --request paths and --expect-status.");
        Assert.False(drill.Json!.RootElement.GetProperty("verdict").GetProperty("passed").GetBoolean());
        // A verdict, not a failure to run: nothing on stderr.
        Assert.Empty(drill.ErrorLines);
    }

    [Fact]
    public async Task AppAnswering404_WhenThatIsExpected_DrillPasses()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@500ms", "--rate", "100", "-c", "4", "--tail", "200ms", "--expect-status", "2xx,404",
            "--", "dotnet", GracefulDrill.TestServerDll, "notfound", "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.True(drill.Statuses("expected") > 0, drill.ToString());
        Assert.Equal(0, drill.Statuses("unexpected"));
        Assert.Equal("2xx,404", drill.Summary.GetProperty("statuses").GetProperty("expectStatus").GetString());
    }

    [Fact]
    public async Task ServiceDecliningWithRetryAfterWhileItDrains_IsNotAFailure_ButTheSame503BeforeTheSignalIs()
    {
        // Kept-alive connections get 503 + Retry-After for their next request once the drain started.
        using (var draining = await GracefulDrill.RunAsync("signal", "--signal", "TERM@800ms", "--rate", "200", "-c", "16", "--tail", "200ms",
            "--", "dotnet", GracefulDrill.TestServerDll, "reject", "--urls", "http://127.0.0.1:0"))
        {
            Assert.True(draining.ExitCode == 0, draining.ToString());
            Assert.True(draining.Statuses("declined") > 0, draining.ToString());
            Assert.Equal(0, draining.Statuses("unexpected"));
            Assert.All(draining.Requests.Where(r => r.TryGetProperty("status", out var s) && s.GetInt32() == 503),
                r => Assert.Equal("1", r.GetProperty("retryAfter").GetString()));
        }

        // /unavailable answers 503 + Retry-After from the start: before the signal that is no drain.
        using var unavailable = await GracefulDrill.RunAsync("signal", "--signal", "TERM@800ms", "--rate", "100", "-c", "4", "--tail", "200ms",
            "--request", "90 GET /ping", "--request", "10 GET /unavailable", "--max-unexpected", "1",
            "--", "dotnet", GracefulDrill.TestServerDll, "drain", "--urls", "http://127.0.0.1:0");
        Assert.True(unavailable.ExitCode == 1, unavailable.ToString());
        Assert.True(unavailable.Statuses("unexpected") > 1, unavailable.ToString());
        Assert.Contains($"{unavailable.Statuses("unexpected")} of {unavailable.Statuses("answered")} responses had an unexpected status (503 ×", unavailable.Output, StringComparison.Ordinal);
        Assert.Contains("at most 1 allowed (--max-unexpected)", unavailable.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateTheConnectionsCannotReach_Warns_AndLatencyFromScheduleShowsTheWait()
    {
        // One connection and 300 ms requests: about 3 requests/s of the 40 asked. SIGHUP does not stop this server.
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "HUP@1s", "--rate", "40", "-c", "1", "--tail", "500ms",
            "--request", "100 GET /slow", "--", "dotnet", GracefulDrill.TestServerDll, "drain", "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        var warning = Assert.Single(drill.Json!.RootElement.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.StartsWith("The load reached ", warning, StringComparison.Ordinal);
        Assert.Contains("short of the 40 asked", warning, StringComparison.Ordinal);
        Assert.Contains("warning: " + warning, drill.Output, StringComparison.Ordinal);
        Assert.Contains("Warning: The load reached ", await File.ReadAllTextAsync(drill.HtmlPath), StringComparison.Ordinal);
        Assert.True(drill.Summary.GetProperty("achievedRate").GetDouble() < 36, drill.ToString());

        // Each request waited for the one connection: from schedule, the wait is in; from sending, it is not.
        var fromSent = drill.Summary.GetProperty("latencyFromSent").GetProperty("maxMs").GetDouble();
        var fromScheduled = drill.Summary.GetProperty("latencyFromScheduled").GetProperty("maxMs").GetDouble();
        Assert.True(fromScheduled > 2 * fromSent, drill.ToString());
        Assert.All(drill.Requests, r => Assert.True(r.GetProperty("scheduled").GetDouble() <= r.GetProperty("start").GetDouble()));
    }

    [Fact]
    public async Task PacedLoadTheServiceKeepsUpWith_DoesNotWarn()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@800ms", "--rate", "100", "-c", "8", "--tail", "200ms",
            "--", "dotnet", GracefulDrill.TestServerDll, "drain", "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.Empty(drill.Json!.RootElement.GetProperty("warnings").EnumerateArray());
        Assert.DoesNotContain("warning:", drill.Output, StringComparison.Ordinal);
    }
}
