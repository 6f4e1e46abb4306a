namespace Graceful.Harness;

/// <summary>
/// The requests a balancer forwarded, as its own log tells them: when it sent each to which instance (0-based; -1 when
/// it had none to send to) and the status the client got. Wall-clock times (Unix milliseconds), the only clock the
/// balancer's log and the instance's report share.
/// </summary>
public sealed class BalancerLog
{
    private readonly Lock _gate = new();
    private readonly List<BalancerRequest> _requests = [];
    private readonly List<(int Instance, long After, TaskCompletionSource Seen)> _waiters = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count;
            }
        }
    }

    public void Add(BalancerRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Instance == request.Instance && request.SentAtUnixMs > _waiters[i].After)
                {
                    _waiters[i].Seen.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>The last request sent to <paramref name="instance"/> at or before <paramref name="at"/>, if any.</summary>
    public DateTimeOffset? LastRequestTo(int instance, DateTimeOffset at)
    {
        var limit = at.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            long? last = null;
            foreach (var request in _requests)
            {
                if (request.Instance == instance && request.SentAtUnixMs <= limit && (last is null || request.SentAtUnixMs > last))
                {
                    last = request.SentAtUnixMs;
                }
            }

            return last is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    /// <summary>Requests sent to <paramref name="instance"/> within (<paramref name="from"/>, <paramref name="to"/>].</summary>
    public int CountTo(int instance, DateTimeOffset from, DateTimeOffset to)
    {
        var (lo, hi) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        lock (_gate)
        {
            return _requests.Count(r => r.Instance == instance && r.SentAtUnixMs > lo && r.SentAtUnixMs <= hi);
        }
    }

    /// <summary>Answers of 500 or more (the balancer's own 502/503 when a backend failed or none was left) within (<paramref name="from"/>, <paramref name="to"/>].</summary>
    public int CountErrors(DateTimeOffset from, DateTimeOffset to)
    {
        var (lo, hi) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        lock (_gate)
        {
            return _requests.Count(r => r.Status >= 500 && r.SentAtUnixMs > lo && r.SentAtUnixMs <= hi);
        }
    }

    /// <summary>
    /// Completes when the balancer has sent <paramref name="instance"/> a request after <paramref name="after"/>: the
    /// event that says a fresh instance is back in rotation, however the balancer learned of it.
    /// </summary>
    public async Task WaitForRequestToAsync(int instance, DateTimeOffset after, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var limit = after.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            if (_requests.Any(r => r.Instance == instance && r.SentAtUnixMs > limit))
            {
                return;
            }

            _waiters.Add((instance, limit, seen));
        }

        if (await Task.WhenAny(seen.Task, Task.Delay(timeout)) != seen.Task)
        {
            throw new TimeoutException($"The balancer sent instance {instance} no request within {timeout} of its return.");
        }
    }
}

/// <summary>One forwarded request: when the balancer sent it, to which instance (-1: none), and the client's status.</summary>
public readonly record struct BalancerRequest(long SentAtUnixMs, int Instance, int Status);
