namespace Graceful.AspNetCore.Platform;

/// <summary>Deadlines kept as timestamps (<see cref="TimeProvider.GetTimestamp"/>), so that comparing them needs no clock read.</summary>
internal static class TimeProviderExtensions
{
    /// <summary><paramref name="span"/> as a count of <paramref name="time"/>'s timestamp ticks.</summary>
    public static long TicksOf(this TimeProvider time, TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
