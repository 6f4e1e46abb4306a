using Graceful.Drill.Recording;

namespace Graceful.Drill.Load;

/// <summary>What one send came to: its outcome, the status (and any <c>Retry-After</c>) when a response arrived, and the error otherwise.</summary>
public readonly record struct SendResult(Outcome Outcome, int? Status = null, string? Error = null, string? RetryAfter = null);
