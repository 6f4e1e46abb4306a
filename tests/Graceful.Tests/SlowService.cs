namespace Graceful.Tests;

/// <summary>The sample service, started as a real child process on a free loopback port.</summary>
internal static class SlowService
{
    public static string Dll => RepoPaths.ProgramDll("samples/SlowService");

    public static Task<ServiceProcess> StartAsync(params string[] args) =>
        ServiceProcess.StartAsync(Dll, ["--urls", "http://127.0.0.1:0", .. args]);
}
