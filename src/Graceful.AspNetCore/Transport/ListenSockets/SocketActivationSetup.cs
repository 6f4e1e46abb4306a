using Graceful.AspNetCore.Platform.Systemd;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Transport.ListenSockets;

/// <summary>
/// Has Kestrel listen on every socket systemd passed (its own <c>UseSystemd</c> takes only the first), and in an
/// upgrade's successor on every such socket its predecessor had been passed.
/// </summary>
internal sealed class SocketActivationSetup(InheritedSockets inherited) : IConfigureOptions<KestrelServerOptions>
{
    private readonly IReadOnlyList<int> _descriptors = OperatingSystem.IsWindows() ? [] : [.. SocketActivation.TakeInheritedListeners(), .. inherited.ClaimHandles()];

    public void Configure(KestrelServerOptions options)
    {
        foreach (var descriptor in _descriptors)
        {
            options.ListenHandle((ulong)descriptor);
        }
    }
}
