namespace Graceful.AspNetCore.Draining;

/// <summary>What started the shutdown, and when (a <see cref="TimeProvider"/> timestamp).</summary>
internal sealed record ShutdownTrigger(string Name, long Timestamp);
