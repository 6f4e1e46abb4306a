using System.Net;
using Graceful.AspNetCore.Platform.Signals;
using Graceful.AspNetCore.Transport.Connections;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// Decorates Kestrel's transport (sockets by default) so that Graceful owns when listeners close and sees
/// every connection from its accept on. Binding, sockets and transport options stay Kestrel's.
/// </summary>
internal sealed partial class DrainableListenerFactory(
    IConnectionListenerFactory inner,
    ListenerRegistry registry,
    ConnectionTracker tracker,
    StartupSignal startup,
    ILogger<DrainableListenerFactory> logger) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        IConnectionListener listener;
        try
        {
            listener = await inner.BindAsync(endpoint, cancellationToken);
        }
        catch (AddressInUseException ex)
        {
            // Kestrel fails the start on this; say so in one line before the host's own report.
            LogAddressInUse(logger, endpoint, ex.Message);
            throw;
        }

        var drainable = new DrainableListener(listener, tracker, startup);
        registry.Add(drainable);
        return drainable;
    }

    public bool CanBind(EndPoint endpoint) => inner is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);

    [LoggerMessage(EventId = 1, EventName = "AddressInUse", Level = LogLevel.Critical,
        Message = "Cannot listen on {Endpoint}: {Reason}")]
    private static partial void LogAddressInUse(ILogger logger, EndPoint endpoint, string reason);
}
