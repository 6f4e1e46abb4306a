using System.Net;
using Graceful.AspNetCore.Diagnostics.Logging;
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
    StartFailureReport startFailure,
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
            // Kestrel fails the start on this. RunGracefullyAsync says so in one line, and the host's own report of it
            // is left out; under app.Run() this line comes before the host's report.
            if (!startFailure.ReportedByRunner)
            {
                LogAddressInUse(logger, endpoint, ex.Message);
            }

            startFailure.Failing();
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
