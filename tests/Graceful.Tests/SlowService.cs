namespace Graceful.Tests;

/// <summary>The sample service, started as a real child process on a free loopback port.</summary>
internal static class SlowService
{
    public static string Dll => RepoPaths.ProgramDll("samples/SlowService");

    public static Task<ServiceProcess> StartAsync(params string[] args) =>
        ServiceProcess.StartAsync(Dll, ["--urls", "http://127.0.0.1:0", .. args]);

    /// <summary>Sends GET /slow on a new raw connection and returns once the handler has logged its start.</summary>
    public static async Task<RawHttpConnection> StartSlowRequestAsync(this ServiceProcess service)
    {
        var connection = await RawHttpConnection.ConnectAsync(service.BaseAddress);
        await connection.SendGetAsync("/slow");
        await service.WaitForLineAsync(l => l.Contains("[start] SlowHandler"), TimeSpan.FromSeconds(20));
        return connection;
    }
}
