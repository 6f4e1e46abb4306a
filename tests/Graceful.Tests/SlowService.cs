namespace Graceful.Tests;

/// <summary>
/// The sample service, started as a real child process on a free loopback port, its log written as JSON lines
/// (<see cref="StructuredLog"/>) so tests find its events by id.
/// </summary>
internal static class SlowService
{
    public static string Dll => RepoPaths.ProgramDll("samples/SlowService");

    /// <summary>The sample's own log events: its GET /slow handler's start and end.</summary>
    public static readonly EventKey HandlerStarted = new("SlowService", 1);

    public static readonly EventKey HandlerEnded = new("SlowService", 2);

    public static Task<ServiceProcess> StartAsync(params string[] args) =>
        StartProcessAsync(["--urls", "http://127.0.0.1:0", .. args]);

    /// <summary>Starts the sample with exactly <paramref name="args"/> (its <c>--urls</c> included).</summary>
    public static Task<ServiceProcess> StartProcessAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        bool waitForListening = true) =>
        ServiceProcess.StartAsync(Dll, args, StructuredLog.With(environment), waitForListening);

    /// <summary>Sends GET /slow on a new raw connection and returns once the handler has logged its start.</summary>
    public static async Task<RawHttpConnection> StartSlowRequestAsync(this ServiceProcess service)
    {
        var connection = await RawHttpConnection.ConnectAsync(service.BaseAddress);
        await connection.SendGetAsync("/slow");
        await service.WaitForEventAsync(HandlerStarted, TimeSpan.FromSeconds(20));
        return connection;
    }
}
