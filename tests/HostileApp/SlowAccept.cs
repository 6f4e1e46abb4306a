using System.Net;
using Microsoft.AspNetCore.Connections;

namespace HostileApp;

/// <summary>
/// Hostile:SlowAccept: Kestrel's accept loop takes each connection only after this pause, as on a machine too busy to
/// keep up with a burst of connects: connections wait in the kernel's accept queue.
/// </summary>
internal static class SlowAccept
{
    public static void Wrap(IServiceCollection services, TimeSpan pause)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i] is { ServiceType: var type, IsKeyedService: false } descriptor && type == typeof(IConnectionListenerFactory))
            {
                services[i] = ServiceDescriptor.Describe(type, sp => new Factory(
                    (IConnectionListenerFactory)(descriptor.ImplementationInstance ?? descriptor.ImplementationFactory?.Invoke(sp)
                        ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!)), pause), descriptor.Lifetime);
            }
        }
    }

    private sealed class Factory(IConnectionListenerFactory inner, TimeSpan pause) : IConnectionListenerFactory, IConnectionListenerFactorySelector
    {
        public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
            new Listener(await inner.BindAsync(endpoint, cancellationToken), pause);

        public bool CanBind(EndPoint endpoint) => inner is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);
    }

    private sealed class Listener(IConnectionListener inner, TimeSpan pause) : IConnectionListener
    {
        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            await Task.Delay(pause, CancellationToken.None);
            return await inner.AcceptAsync(cancellationToken);
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
