using Graceful.Drill.Recording;

namespace Graceful.Drill.Load;

/// <summary>One send, timed on the drill's clock and bounded by the request timeout, as a <see cref="RequestRecord"/>.</summary>
public static class TimedSend
{
    public static async Task<RequestRecord> RunAsync(Func<CancellationToken, Task<SendResult>> send, RequestSpec request, long id, int worker, double scheduled,
        DrillClock clock, TimeSpan requestTimeout)
    {
        var start = clock.Now;
        using var timeout = new CancellationTokenSource(requestTimeout);
        var result = await send(timeout.Token);
        return new RequestRecord(id, worker, request.Method, request.Path, scheduled, start, clock.Now, result.Outcome, result.Status, result.Error, result.RetryAfter);
    }
}
