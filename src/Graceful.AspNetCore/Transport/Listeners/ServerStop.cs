using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// Stops the server (Kestrel) at once after the drain was cut: Kestrel's own stop would otherwise wait for abandoned
/// handlers until the host's timeout. The server is resolved only then: the host lifetime needs the shutdown sequence
/// when the host is built, before Kestrel may be, and building Kestrel reads options that must fail at start, not at
/// build.
/// </summary>
internal sealed class ServerStop(IServiceProvider services)
{
    public async Task StopNowAsync()
    {
        using var alreadyDue = new CancellationTokenSource();
        await alreadyDue.CancelAsync();
        await services.GetRequiredService<IServer>().StopAsync(alreadyDue.Token);
    }
}
