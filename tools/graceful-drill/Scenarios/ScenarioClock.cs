using Graceful.Drill.Recording;

namespace Graceful.Drill.Scenarios;

/// <summary>Waiting for a moment on the drill's clock.</summary>
internal static class ScenarioClock
{
    public static Task DelayUntilAsync(this DrillClock clock, TimeSpan at, CancellationToken cancellationToken)
    {
        var wait = at.TotalMilliseconds - clock.Now;
        return wait > 0 ? Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken) : Task.CompletedTask;
    }
}
