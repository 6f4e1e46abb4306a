using Graceful.AspNetCore.Shutdown;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Health;

/// <summary>
/// In front of the readiness checks: once a shutdown has begun, answers 503 as ASP.NET Core's health-check endpoint
/// would for an Unhealthy report, without running the checks. Their run would log an Error line per probe for what is
/// an expected state; instead one Information line says when readiness turned.
/// </summary>
internal sealed partial class ReadinessShortcut(RequestDelegate checks, ShutdownCoordinator coordinator, string path, ILogger logger)
{
    private int _logged;

    public Task InvokeAsync(HttpContext context)
    {
        if (!coordinator.IsShuttingDown)
        {
            return checks(context);
        }

        if (Interlocked.Exchange(ref _logged, 1) == 0)
        {
            LogNotReady(logger, path);
        }

        // As HealthCheckMiddleware answers: uncached, the status as plain text.
        var response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.CacheControl = "no-store, no-cache";
        response.Headers.Pragma = "no-cache";
        response.Headers.Expires = "Thu, 01 Jan 1970 00:00:00 GMT";
        response.ContentType = "text/plain";
        return response.WriteAsync(nameof(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy), context.RequestAborted);
    }

    [LoggerMessage(EventId = 90, EventName = "ReadinessTurned", Level = LogLevel.Information,
        Message = "Readiness {Path} answers 503 from now on: the application is shutting down (further probes are not logged)")]
    private static partial void LogNotReady(ILogger logger, string path);
}
