using System.Text;
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Limits;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Graceful.AspNetCore.Transport.Limits;

/// <summary>
/// Enforces <see cref="ServerLimitsOptions.ReadTimeout"/> and <see cref="ServerLimitsOptions.WriteTimeout"/>.
/// Unlike Go's write deadline, which closes the connection under a response the server believes it sent,
/// a handler too slow to start its response gets the client a 504 and the log a warning.
/// </summary>
internal sealed partial class RequestDeadlinesMiddleware(RequestDelegate next, ServerLimitsOptions limits, TimeProvider time, ILogger logger)
{
    private static readonly byte[] TimeoutBody = Encoding.UTF8.GetBytes("The server did not start its response within its write timeout.\n");

    private readonly TimeSpan _readTimeout = limits.ReadTimeout ?? Timeout.InfiniteTimeSpan;
    private readonly TimeSpan _writeTimeout = limits.WriteTimeout ?? Timeout.InfiniteTimeSpan;

    public async Task InvokeAsync(HttpContext context)
    {
        using var readDeadline = StartReadDeadline(context);
        if (_writeTimeout == Timeout.InfiniteTimeSpan)
        {
            await next(context);
            return;
        }

        await RunWithWriteTimeoutAsync(context);
    }

    private CancellationTokenSource? StartReadDeadline(HttpContext context)
    {
        if (_readTimeout == Timeout.InfiniteTimeSpan ||
            context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: true })
        {
            return null;
        }

        var deadline = new CancellationTokenSource(_readTimeout, time);
        context.Request.Body = new DeadlineRequestBody(context.Request.Body, deadline.Token);
        return deadline;
    }

    private async Task RunWithWriteTimeoutAsync(HttpContext context)
    {
        var originalBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var originalLifetime = context.Features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(originalLifetime.RequestAborted);
        var gate = new ResponseGate();
        context.Features.Set<IHttpResponseBodyFeature>(new GatedResponseBody(originalBody, gate));
        context.Features.Set<IHttpRequestLifetimeFeature>(new LinkedRequestLifetime(originalLifetime, aborted.Token));

        var handler = next(context);
        if (!handler.IsCompleted)
        {
            using var stopTimer = new CancellationTokenSource();
            var timer = Task.Delay(_writeTimeout, time, stopTimer.Token);
            if (await Task.WhenAny(handler, timer) == timer && gate.TryClaimForTimeout())
            {
                LogWriteTimeout(logger, context.Request.Method, context.Request.Path, new LoggedDuration(_writeTimeout));
                await aborted.CancelAsync();
                await WriteTimeoutResponseAsync(context, originalBody);
                await WaitForAbandonedHandlerAsync(handler);
                return;
            }

            await stopTimer.CancelAsync();
        }

        await handler;
    }

    private static async Task WriteTimeoutResponseAsync(HttpContext context, IHttpResponseBodyFeature body)
    {
        var response = context.Response;
        response.Headers.Clear();
        response.StatusCode = StatusCodes.Status504GatewayTimeout;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = TimeoutBody.Length;
        response.Headers[HeaderNames.Connection] = "close";
        await body.Writer.WriteAsync(TimeoutBody);
        await body.CompleteAsync();
    }

    // The handler still holds the HttpContext: it must end before Kestrel reuses the context for another request.
    private async Task WaitForAbandonedHandlerAsync(Task handler)
    {
        try
        {
            await handler;
        }
        catch (Exception ex)
        {
            LogAbandonedHandlerFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 30, EventName = "WriteTimeout", Level = LogLevel.Warning,
        Message = "{Method} {Path} had not started its response after the write timeout ({WriteTimeout}): answered 504 and closed the connection")]
    private static partial void LogWriteTimeout(ILogger logger, string method, PathString path, LoggedDuration writeTimeout);

    [LoggerMessage(EventId = 31, EventName = "AbandonedHandlerFailed", Level = LogLevel.Debug,
        Message = "A handler that exceeded the write timeout ended with an exception after its 504 was sent")]
    private static partial void LogAbandonedHandlerFailed(ILogger logger, Exception exception);
}
