namespace Graceful.Tests;

/// <summary>
/// tests/HostileApp, started as a real child process on a free loopback port: a fresh app with <c>AddGraceful()</c>
/// at its defaults that ends with plain <c>app.Run()</c>, its log written as JSON lines (<see cref="StructuredLog"/>). Its <c>Hostile:*</c> keys (environment variables here) add
/// a slow hosted service, a throwing hook, a throwing logging provider or a slow accept loop.
/// </summary>
internal static class HostileApp
{
    public static string Dll => RepoPaths.ProgramDll("tests/HostileApp");

    public static Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null, bool waitForListening = true) =>
        ServiceProcess.StartAsync(Dll, ["--urls", "http://127.0.0.1:0"], StructuredLog.With(environment), waitForListening);

    /// <summary>Sends GET /slow?ms=... on a new raw connection; returns once its handler runs.</summary>
    public static async Task<RawHttpConnection> StartSlowRequestAsync(this ServiceProcess service, TimeSpan duration)
    {
        var connection = await RawHttpConnection.ConnectAsync(service.BaseAddress);
        await connection.SendGetAsync($"/slow?ms={(int)duration.TotalMilliseconds}");
        await service.WaitForLineAsync(l => l.Contains("[slow] start"), TimeSpan.FromSeconds(20));
        return connection;
    }

    /// <summary>
    /// Sends GET /until-draining on a new raw connection; returns once its handler runs. It answers once the drain has
    /// started, so it is in flight across the signal however slowly a loaded machine delivers it (a fixed duration
    /// can end first, and then the request was never drained).
    /// </summary>
    public static async Task<RawHttpConnection> StartRequestUntilDrainingAsync(this ServiceProcess service)
    {
        var connection = await RawHttpConnection.ConnectAsync(service.BaseAddress);
        await connection.SendGetAsync("/until-draining");
        await service.WaitForLineAsync(l => l.Contains("[slow] start"), TimeSpan.FromSeconds(20));
        return connection;
    }
}
