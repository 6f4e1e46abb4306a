using Graceful.AspNetCore.Configuration;
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Limits;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Transport.Limits;

/// <summary>
/// Maps the Go-style limits that Kestrel enforces itself onto <see cref="KestrelServerLimits"/>, only those that are
/// set. Runs after every <c>ConfigureKestrel</c>, in whichever order the app registered it and Graceful, so it sees
/// what the app set: a Kestrel limit that differs from Kestrel's default was set by the app, and the app's value wins
/// over Graceful's (the conflict is logged once). Graceful never changes a limit the app did not ask it to.
/// </summary>
internal sealed partial class KestrelLimitsSetup(IOptions<GracefulOptions> options, ILogger<KestrelLimitsSetup> logger)
    : IPostConfigureOptions<KestrelServerOptions>
{
    private const string Section = GracefulOptions.SectionName + ":" + nameof(GracefulOptions.Limits) + ":";
    private static readonly KestrelServerLimits Defaults = new();
    private int _configured;

    public void PostConfigure(string? name, KestrelServerOptions kestrel)
    {
        if (!options.TryGetValid(out var graceful))
        {
            return;
        }

        // Options are built once per container; a second build (a monitor, a snapshot) must not log again.
        var log = Interlocked.Exchange(ref _configured, 1) == 0 ? logger : null;
        var limits = graceful.Limits;
        var kestrelLimits = kestrel.Limits;
        if (limits.ReadHeaderTimeout is { } readHeader)
        {
            kestrelLimits.RequestHeadersTimeout = Resolve(log, nameof(limits.ReadHeaderTimeout), AsKestrelTimeout(readHeader),
                nameof(KestrelServerLimits.RequestHeadersTimeout), kestrelLimits.RequestHeadersTimeout, Defaults.RequestHeadersTimeout);
        }

        if (limits.IdleTimeout is { } idle)
        {
            kestrelLimits.KeepAliveTimeout = Resolve(log, nameof(limits.IdleTimeout), AsKestrelTimeout(idle),
                nameof(KestrelServerLimits.KeepAliveTimeout), kestrelLimits.KeepAliveTimeout, Defaults.KeepAliveTimeout);
        }

        if (limits.MaxHeaderBytes is { } maxHeaderBytes)
        {
            ApplyMaxHeaderBytes(log, kestrelLimits, maxHeaderBytes);
        }
    }

    private static void ApplyMaxHeaderBytes(ILogger? log, KestrelServerLimits kestrel, int maxHeaderBytes)
    {
        var headers = Resolve(log, nameof(ServerLimitsOptions.MaxHeaderBytes), maxHeaderBytes,
            nameof(KestrelServerLimits.MaxRequestHeadersTotalSize), kestrel.MaxRequestHeadersTotalSize, Defaults.MaxRequestHeadersTotalSize);
        var line = Resolve(log, nameof(ServerLimitsOptions.MaxHeaderBytes), maxHeaderBytes,
            nameof(KestrelServerLimits.MaxRequestLineSize), kestrel.MaxRequestLineSize, Defaults.MaxRequestLineSize);

        // Kestrel refuses to start when its request buffer cannot hold the request line and headers. A buffer the app
        // left at Kestrel's default grows with them; one the app set itself wins, as any other app-set limit does.
        var needed = Math.Max(headers, line);
        if (kestrel.MaxRequestBufferSize is { } buffer && buffer < needed)
        {
            if (buffer != Defaults.MaxRequestBufferSize)
            {
                if (log is not null)
                {
                    LogSizeConflict(log, Section + nameof(ServerLimitsOptions.MaxHeaderBytes), maxHeaderBytes,
                        nameof(KestrelServerLimits.MaxRequestBufferSize), buffer);
                }

                return;
            }

            kestrel.MaxRequestBufferSize = needed;
        }

        kestrel.MaxRequestHeadersTotalSize = headers;
        kestrel.MaxRequestLineSize = line;
    }

    private static TimeSpan Resolve(ILogger? log, string key, TimeSpan graceful, string kestrelLimit, TimeSpan current, TimeSpan kestrelDefault)
    {
        if (current == kestrelDefault || current == graceful)
        {
            return graceful;
        }

        if (log is not null)
        {
            LogTimeConflict(log, Section + key, new LoggedDuration(FromKestrelTimeout(graceful)), kestrelLimit, new LoggedDuration(FromKestrelTimeout(current)));
        }

        return current;
    }

    private static int Resolve(ILogger? log, string key, int graceful, string kestrelLimit, int current, int kestrelDefault)
    {
        if (current == kestrelDefault || current == graceful)
        {
            return graceful;
        }

        if (log is not null)
        {
            LogSizeConflict(log, Section + key, graceful, kestrelLimit, current);
        }

        return current;
    }

    // Kestrel takes TimeSpan.MaxValue, not Timeout.InfiniteTimeSpan, for "no limit".
    private static TimeSpan AsKestrelTimeout(TimeSpan value) => value == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : value;

    private static TimeSpan FromKestrelTimeout(TimeSpan value) => value == TimeSpan.MaxValue ? Timeout.InfiniteTimeSpan : value;

    [LoggerMessage(EventId = 80, EventName = "LimitConflict", Level = LogLevel.Warning,
        Message = "{Key} is {Graceful}, but the app set Kestrel's {KestrelLimit} to {Kestrel} itself: the app's Kestrel setting wins. Set the limit in one place")]
    private static partial void LogTimeConflict(ILogger logger, string key, LoggedDuration graceful, string kestrelLimit, LoggedDuration kestrel);

    [LoggerMessage(EventId = 81, EventName = "LimitSizeConflict", Level = LogLevel.Warning,
        Message = "{Key} is {Graceful} bytes, but the app set Kestrel's {KestrelLimit} to {Kestrel} bytes itself: the app's Kestrel setting wins. Set the limit in one place")]
    private static partial void LogSizeConflict(ILogger logger, string key, long graceful, string kestrelLimit, long kestrel);
}
