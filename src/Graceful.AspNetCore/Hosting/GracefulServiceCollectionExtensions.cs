using Graceful.AspNetCore;
using Graceful.AspNetCore.Configuration;
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Diagnostics.Metrics;
using Graceful.AspNetCore.Diagnostics.Reporting;
using Graceful.AspNetCore.Hosting;
using Graceful.AspNetCore.Platform.Files;
using Graceful.AspNetCore.Platform.Signals;
using Graceful.AspNetCore.Platform.Systemd;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Shutdown.Hooks;
using Graceful.AspNetCore.Shutdown.PreStop;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Limits;
using Graceful.AspNetCore.Transport.ListenSockets;
using Graceful.AspNetCore.Transport.Listeners;
using Graceful.AspNetCore.Transport.Requests;
using Graceful.AspNetCore.Upgrades;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Graceful to an ASP.NET Core application.</summary>
public static class GracefulServiceCollectionExtensions
{
    /// <summary>
    /// Makes the application stop gracefully. SIGTERM, SIGINT and SIGQUIT (or <see cref="IGracefulShutdown.ShutdownAsync"/>)
    /// start one shutdown: the listeners close, idle connections close, in-flight requests finish (or are cut at
    /// <see cref="GracefulOptions.DrainTimeout"/>), shutdown hooks run, then the host stops. Each phase is logged
    /// with its duration. Also maps the Go-style <see cref="GracefulOptions.Limits"/> onto Kestrel.
    /// Options bind from the <c>Graceful</c> configuration section, then <paramref name="configure"/> applies, and
    /// invalid values fail the start naming the option. Call after Kestrel is registered (as
    /// <c>WebApplication.CreateBuilder</c> does); it replaces the host's <see cref="IHostLifetime"/>.
    /// It does not handle SIGKILL, which no process can.
    /// </summary>
    public static IServiceCollection AddGraceful(this IServiceCollection services, Action<GracefulOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(ShutdownCoordinator)))
        {
            if (configure is not null)
            {
                services.Configure(configure);
            }

            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<GracefulOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<GracefulOptions>, GracefulOptionsBinder>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddSingleton<IValidateOptions<GracefulOptions>, GracefulOptionsValidator>();
        services.AddSingleton<HostShutdownTimeoutSetup>();
        services.AddSingleton<IPostConfigureOptions<HostOptions>>(sp => sp.GetRequiredService<HostShutdownTimeoutSetup>());
        services.AddSingleton<IPostConfigureOptions<KestrelServerOptions>, KestrelLimitsSetup>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, SocketActivationSetup>();

        services.AddMetrics();
        services.AddSingleton<GracefulMetrics>();
        services.AddSingleton<ConnectionTracker>();
        services.AddSingleton<ListenerRegistry>();
        services.AddSingleton<ShutdownHookRunner>();
        services.AddSingleton<ShutdownTokens>();
        services.AddSingleton<ShutdownRecorder>();
        services.AddSingleton<RequestJournal>();
        services.AddSingleton<ShutdownEvents>();
        services.AddSingleton<StopTimeoutExtension>();
        services.AddSingleton<ServerStop>();
        services.AddSingleton<ServiceAnnouncer>();
        services.AddSingleton<TrafficWatch>();
        services.AddSingleton<PreStopWait>();
        services.AddSingleton<SystemdNotifier>();
        services.AddSingleton<ShutdownReportWriter>();
        services.AddSingleton<LogRehearsal>();
        services.AddSingleton<IShutdownTokens>(sp => sp.GetRequiredService<ShutdownTokens>());
        services.AddSingleton<ShutdownCoordinator>();
        // First of Graceful's hosted services: it starts before them and finishes after them (ForeignLifetimeTakeover).
        services.AddSingleton<IHostedService, ForeignLifetimeTakeover>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ShutdownCoordinator>());
        services.AddSingleton(_ => InheritedSockets.TakeFromEnvironment());
        services.AddSingleton<ListenSocketBroker>();
        services.AddSingleton<IPostConfigureOptions<SocketTransportOptions>>(sp => sp.GetRequiredService<ListenSocketBroker>());
        services.AddSingleton<PidFile>();
        services.AddSingleton<UpgradeCoordinator>();
        services.AddSingleton<IHostedService, UpgradeLifecycle>();
        services.AddSingleton<IGracefulShutdown, GracefulShutdownService>();
        services.AddSingleton<StartupSignal>();
        services.AddSingleton<StartFailureReport>();
        services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>>(sp => sp.GetRequiredService<StartFailureReport>());
        services.AddSingleton<IOptionsChangeTokenSource<LoggerFilterOptions>>(sp => sp.GetRequiredService<StartFailureReport>());
        services.AddSingleton<GracefulHostLifetime>();
        services.AddSingleton<IHostLifetime>(sp => sp.GetRequiredService<GracefulHostLifetime>());
        services.AddSingleton<IStartupFilter, GracefulStartupFilter>();

        AddFaultTolerantLoggers(services);
        DecorateListenerFactories(services);
        return services;
    }

    // Graceful's own classes log through loggers that swallow a failing provider's exception (FaultTolerantLogger):
    // a broken log sink must not change a drain's outcome. Registered for these closed types only; the application's
    // loggers are untouched.
    private static void AddFaultTolerantLoggers(IServiceCollection services)
    {
        services.AddSingleton<ILogger<ShutdownCoordinator>, FaultTolerantLogger<ShutdownCoordinator>>();
        services.AddSingleton<ILogger<ShutdownHookRunner>, FaultTolerantLogger<ShutdownHookRunner>>();
        services.AddSingleton<ILogger<ShutdownReportWriter>, FaultTolerantLogger<ShutdownReportWriter>>();
        services.AddSingleton<ILogger<PidFile>, FaultTolerantLogger<PidFile>>();
        services.AddSingleton<ILogger<SystemdNotifier>, FaultTolerantLogger<SystemdNotifier>>();
        services.AddSingleton<ILogger<StopTimeoutExtension>, FaultTolerantLogger<StopTimeoutExtension>>();
        services.AddSingleton<ILogger<UpgradeCoordinator>, FaultTolerantLogger<UpgradeCoordinator>>();
        services.AddSingleton<ILogger<UpgradeLifecycle>, FaultTolerantLogger<UpgradeLifecycle>>();
        services.AddSingleton<ILogger<DrainableListenerFactory>, FaultTolerantLogger<DrainableListenerFactory>>();
        services.AddSingleton<ILogger<ListenerRegistry>, FaultTolerantLogger<ListenerRegistry>>();
        services.AddSingleton<ILogger<ConnectionAging>, FaultTolerantLogger<ConnectionAging>>();
    }

    // Kestrel binds through every registered IConnectionListenerFactory; each is wrapped so Graceful
    // controls when it stops accepting and sees each connection from its accept on.
    private static void DecorateListenerFactories(IServiceCollection services)
    {
        var registrations = services
            .Select((descriptor, index) => (descriptor, index))
            .Where(r => r.descriptor.ServiceType == typeof(IConnectionListenerFactory) && !r.descriptor.IsKeyedService)
            .ToList();
        if (registrations.Count == 0)
        {
            throw new InvalidOperationException(
                "AddGraceful found no Kestrel transport to wrap: call it after Kestrel is registered (WebApplication.CreateBuilder does that).");
        }

        foreach (var (descriptor, index) in registrations)
        {
            services[index] = ServiceDescriptor.Describe(typeof(IConnectionListenerFactory), sp => new DrainableListenerFactory(
                CreateOriginal(sp, descriptor),
                sp.GetRequiredService<ListenerRegistry>(),
                sp.GetRequiredService<ConnectionTracker>(),
                sp.GetRequiredService<StartupSignal>(),
                sp.GetRequiredService<StartFailureReport>(),
                sp.GetRequiredService<ILogger<DrainableListenerFactory>>()), descriptor.Lifetime);
        }
    }

    private static IConnectionListenerFactory CreateOriginal(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IConnectionListenerFactory)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
