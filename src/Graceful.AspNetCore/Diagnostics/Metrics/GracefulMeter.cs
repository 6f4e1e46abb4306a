namespace Graceful.AspNetCore;

/// <summary>Names to subscribe to Graceful's metrics, e.g. OpenTelemetry's <c>AddMeter(GracefulMeter.Name)</c>.</summary>
public static class GracefulMeter
{
    /// <summary>
    /// The meter: <c>graceful.server.pre_stop</c>, <c>graceful.server.pre_stop.duration</c>, <c>graceful.server.draining</c>,
    /// <c>graceful.server.drain.duration</c> and <c>graceful.server.aborted_requests</c>.
    /// </summary>
    public const string Name = "Graceful.AspNetCore";
}
