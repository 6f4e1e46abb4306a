namespace Graceful.Tests.Drill;

/// <summary>
/// graceful-drill against servers that stop in known ways: Graceful's sample (drains), a server that resets every
/// connection at SIGTERM, and one that exits at SIGTERM without draining. Each request's outcome and the drill's exit
/// code must follow from how the server stopped.
/// </summary>
public class DrillClassificationTests
{
    [Fact]
    public async Task GracefulService_SigtermUnderLoad_NoRequestLost_DrillPasses()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@1s", "--rate", "100", "-c", "8",
            "--request", "70 GET /ping", "--request", "20 GET /slow", "--request", "10 POST /echo hello", "--expect-exit-code", "0",
            "--", "dotnet", SlowService.Dll, "--urls", "http://127.0.0.1:0", "--slow", "300ms");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.Equal(0, drill.Count("lost"));
        Assert.Equal(0, drill.Count("timedOut"));
        // How many requests are answered depends on the machine's speed (33 under heavy load), so no count is asserted:
        // each request was answered, or refused on a new connection once the listener had closed after the signal.
        var signalAt = drill.Markers.First(m => m.GetProperty("kind").GetString() == "Signal").GetProperty("at").GetDouble();
        Assert.All(drill.Requests, r => Assert.True(
            r.GetProperty("outcome").GetString() == "Ok" || (r.GetProperty("outcome").GetString() == "Refused" && r.GetProperty("end").GetDouble() >= signalAt),
            r.ToString()));
        Assert.True(drill.Count("ok") > 0, drill.ToString());
        Assert.Contains(drill.Requests, r => r.GetProperty("path").GetString() == "/slow" && r.GetProperty("outcome").GetString() == "Ok");
        Assert.Contains(drill.Requests, r => r.GetProperty("method").GetString() == "POST" && r.GetProperty("outcome").GetString() == "Ok");
        var exit = Assert.Single(drill.Exits);
        Assert.Equal(0, exit.GetProperty("exitCode").GetInt32());
        Assert.Contains(drill.Markers, m => m.GetProperty("kind").GetString() == "Signal" && m.GetProperty("label").GetString()!.StartsWith("SIGTERM", StringComparison.Ordinal));
        Assert.Contains(drill.Markers, m => m.GetProperty("kind").GetString() == "Exit");
        Assert.Contains(drill.Markers, m => m.GetProperty("kind").GetString() == "LastResponse");
        // Graceful logs its listeners closing; the drill marks it from the log.
        Assert.Contains(drill.Markers, m => m.GetProperty("label").GetString() == "listener closed (service log)");
    }

    [Fact]
    public async Task ServerThatResetsConnections_RequestsInFlightAreLost_EachOutcomeClassified_DrillFails()
    {
        // The request timeout stays at its default, far from any route's time: a 300 ms /slow raced against a 400 ms
        // timeout was Ok or TimedOut as the CPU scheduler decided. Timeouts have their own test below.
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@1500ms", "--rate", "100", "-c", "12",
            "--request", "60 GET /ping", "--request", "30 GET /slow", "--request", "10 GET /missing",
            "--", "dotnet", GracefulDrill.TestServerDll, "reset", "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 1, drill.ToString());
        var signalAt = drill.Markers.First(m => m.GetProperty("kind").GetString() == "Signal").GetProperty("at").GetDouble();
        var exitAt = drill.Markers.First(m => m.GetProperty("kind").GetString() == "Exit").GetProperty("at").GetDouble();

        // Before the signal every request is answered as its route says.
        foreach (var request in drill.Requests.Where(r => r.GetProperty("end").GetDouble() < signalAt))
        {
            var expected = request.GetProperty("path").GetString() == "/missing" ? "NonSuccess" : "Ok";
            Assert.Equal(expected, request.GetProperty("outcome").GetString());
        }

        // The resets: requests in flight at the signal are lost (noticed after it was sent, sent before the server
        // exited: after that a connection can only be refused), then connects are refused.
        var lost = drill.Requests.Where(r => r.GetProperty("outcome").GetString() == "Lost").ToArray();
        Assert.NotEmpty(lost);
        Assert.All(lost, r => Assert.True(r.GetProperty("end").GetDouble() >= signalAt && r.GetProperty("start").GetDouble() < exitAt, r.ToString()));
        Assert.True(drill.Count("refused") > 0, drill.ToString());
        Assert.Equal(drill.Requests.Count(r => r.GetProperty("path").GetString() == "/missing" && r.GetProperty("outcome").GetString() == "NonSuccess"), drill.Count("nonSuccess"));
        Assert.All(drill.Requests.Where(r => r.GetProperty("outcome").GetString() == "NonSuccess"), r => Assert.Equal(404, r.GetProperty("status").GetInt32()));
        Assert.Equal(0, drill.Count("timedOut"));
        Assert.Contains(drill.Markers, m => m.GetProperty("label").GetString() == "listener closed (first refused connect)");
        Assert.Contains("requests lost", drill.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerThatNeverAnswers_RequestsTimeOut_NotLost()
    {
        // /hang never answers and nothing closes its connection while the load runs (SIGHUP leaves this server as it
        // is; it is stopped after the load), so each /hang request times out whatever the timeout and the CPU load.
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "HUP@1s", "--rate", "50", "-c", "12", "--timeout", "300ms",
            "--request", "50 GET /ping", "--request", "50 GET /hang",
            "--", "dotnet", GracefulDrill.TestServerDll, "reset", "--urls", "http://127.0.0.1:0");

        var hung = drill.Requests.Where(r => r.GetProperty("path").GetString() == "/hang").ToArray();
        Assert.True(hung.Length > 0, drill.ToString());
        Assert.All(hung, r => Assert.Equal("TimedOut", r.GetProperty("outcome").GetString()));
        Assert.All(hung, r => Assert.Equal("no response within the timeout", r.GetProperty("error").GetString()));
        Assert.True(drill.Count("timedOut") >= hung.Length, drill.ToString());
        Assert.Equal(0, drill.Count("lost"));
        Assert.Equal(0, drill.Count("refused"));
    }

    [Fact]
    public async Task ServerThatExitsWithoutDraining_LosesRequestsInFlight_ExitCodeRecorded_DrillFails()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@1500ms", "--rate", "100", "-c", "12",
            "--request", "60 GET /ping", "--request", "40 GET /slow",
            "--", "dotnet", GracefulDrill.TestServerDll, "exit", "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 1, drill.ToString());
        Assert.True(drill.Count("lost") > 0, drill.ToString());
        Assert.Contains(drill.Requests, r => r.GetProperty("path").GetString() == "/slow" && r.GetProperty("outcome").GetString() == "Lost");
        Assert.Equal(3, Assert.Single(drill.Exits).GetProperty("exitCode").GetInt32());
        Assert.Equal(0, drill.Count("nonSuccess"));
    }

    [Fact]
    public async Task LostRequestsWithinTheThreshold_ButAnUnexpectedExitCode_DrillStillFails()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@1s", "--rate", "100", "-c", "12",
            "--request", "60 GET /ping", "--request", "40 GET /slow", "--max-lost", "1000000", "--expect-exit-code", "0",
            "--", "dotnet", GracefulDrill.TestServerDll, "exit", "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 1, drill.ToString());
        Assert.DoesNotContain("requests lost", drill.Output, StringComparison.Ordinal);
        Assert.Contains("exited with code 3, expected 0", drill.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LostRequestsWithinTheThreshold_DrillPasses()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@1s", "--rate", "100", "-c", "12",
            "--request", "60 GET /ping", "--request", "40 GET /slow", "--max-lost", "1000000",
            "--", "dotnet", GracefulDrill.TestServerDll, "reset", "--urls", "http://127.0.0.1:0");

        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.True(drill.Count("lost") > 0, drill.ToString());
    }

    [Fact]
    public async Task ServiceThatNeverAnswers_DrillCannotRun_ExitsTwo()
    {
        using var drill = await GracefulDrill.RunAsync("signal", "--url", "http://127.0.0.1:9", "--startup-timeout", "500ms",
            "--", "sleep", "30");

        Assert.True(drill.ExitCode == 2, drill.ToString());
        Assert.Contains("did not answer", drill.Output, StringComparison.Ordinal);
    }
}
