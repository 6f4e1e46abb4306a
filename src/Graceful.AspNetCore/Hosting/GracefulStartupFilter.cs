using Graceful.AspNetCore.Diagnostics.Metrics;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Limits;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Hosting;

/// <summary>
/// Puts Graceful's request tracking, and the request deadlines when configured, in front of the app's pipeline; with
/// <see cref="GracefulOptions.MaxConnectionAge"/>, starts aging connections. It runs once the options are validated
/// and before the server accepts: reading them earlier (when the tracker is made) would turn a bad value into an
/// exception at resolution instead of the start failure that names it.
/// </summary>
internal sealed class GracefulStartupFilter(
    IOptions<GracefulOptions> options,
    ConnectionTracker connections,
    ShutdownTokens tokens,
    RequestJournal journal,
    TrafficWatch traffic,
    TimeProvider time,
    ILoggerFactory loggers,
    ILogger<ConnectionAging> agingLogger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (options.Value is { MaxConnectionAge: { } age } o)
        {
            connections.AgeConnections(age, o.MaxConnectionAgeJitter, o.MaxConnectionAgeGrace, o.IdleGrace, agingLogger);
        }

        app.Use(inner => RequestTrackingMiddleware.Create(inner, connections, tokens, journal, traffic, options.Value.RejectDuringDrainRetryAfter,
            Http2GoAwayGrace.Of(options.Value), time));
        if (options.Value.AbortRequestsAtSoftDeadline)
        {
            app.Use(inner => SoftDeadlineAbortMiddleware.Create(inner, tokens));
        }

        var limits = options.Value.Limits;
        if (limits.HasRequestDeadlines)
        {
            var logger = loggers.CreateLogger(typeof(RequestDeadlinesMiddleware).FullName!);
            app.Use(inner => new RequestDeadlinesMiddleware(inner, limits, time, logger).InvokeAsync);
        }

        next(app);
    };
}
