using System.Globalization;
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Platform;
using Graceful.AspNetCore.Platform.Systemd;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Shutdown;

/// <summary>
/// With <see cref="GracefulOptions.SystemdExtendInterval"/> under systemd: during the drain, once per interval, asks
/// systemd for two intervals more (<c>EXTEND_TIMEOUT_USEC</c>) if the drain made progress since the last check (a
/// request running then has completed, or a connection has closed), never past the drain deadline. systemd then does
/// not SIGKILL at <c>TimeoutStopSec</c> a drain that is making progress, and still stops a stuck one: at most two
/// intervals after its last progress. Nothing runs per request: each check compares two snapshots.
/// </summary>
internal sealed partial class StopTimeoutExtension(
    SystemdNotifier systemd,
    ConnectionTracker connections,
    TimeProvider time,
    ILogger<StopTimeoutExtension> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private TimeSpan _interval;
    private long? _deadlineAt;
    private List<InFlightRequest> _running = [];
    private int _open;

    /// <summary>Starts the checks for a drain whose hard deadline is <paramref name="budget"/> from now (infinite: none).</summary>
    public void Start(TimeSpan? interval, TimeSpan budget)
    {
        if (interval is not { } every || !systemd.IsEnabled)
        {
            return;
        }

        lock (_gate)
        {
            _interval = every;
            _deadlineAt = budget == Timeout.InfiniteTimeSpan ? null : time.GetTimestamp() + time.TicksOf(budget);
            _running = connections.InFlightRequests();
            _open = connections.OpenCount;
            _timer = time.CreateTimer(static state => ((StopTimeoutExtension)state!).Check(), this, every, every);
        }
    }

    /// <summary>The drain has ended: no more extensions (the rest of the stop has systemd's own timeout).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Check()
    {
        lock (_gate)
        {
            if (_timer is null)
            {
                return;
            }

            var running = connections.InFlightRequests();
            var open = connections.OpenCount;
            var progressed = open < _open || _running.Exists(r => r.EndedAt is not null);
            (_running, _open) = (running, open);
            var extension = 2 * _interval;
            if (_deadlineAt is { } deadline)
            {
                var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
                extension = left < extension ? left : extension;
            }

            if (!progressed || extension <= TimeSpan.Zero)
            {
                return;
            }

            var microseconds = (long)extension.TotalMicroseconds;
            systemd.Notify(string.Create(CultureInfo.InvariantCulture, $"EXTEND_TIMEOUT_USEC={microseconds}"));
            var asked = new LoggedDuration(extension);
            LogExtended(logger, asked, running.Count, open);
        }
    }

    public void Dispose() => Stop();

    [LoggerMessage(EventId = 61, EventName = "SystemdStopTimeoutExtended", Level = LogLevel.Information,
        Message = "The drain is making progress: asked systemd to extend the stop timeout by {Extension} ({Requests} requests on {Connections} connections left)")]
    private static partial void LogExtended(ILogger logger, LoggedDuration extension, int requests, int connections);
}
