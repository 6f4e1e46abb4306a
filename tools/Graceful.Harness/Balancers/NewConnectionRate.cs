using System.Diagnostics;

namespace Graceful.Harness;

/// <summary>
/// Samples how many connections a balancer has opened to each instance (<see cref="IBalancer.ConnectionsOpenedAsync"/>)
/// every 100 ms, so that the rate of new connections at some instances over a span can be read afterwards: the
/// reconnect storm an instance's stop sends to the others. Disposal stops the sampling.
/// </summary>
public sealed class NewConnectionRate : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly IBalancer _balancer;
    private readonly Lock _gate = new();
    private readonly List<(long At, IReadOnlyList<long> Opened)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private NewConnectionRate(IBalancer balancer, IReadOnlyList<long> first)
    {
        _balancer = balancer;
        _samples.Add((Stopwatch.GetTimestamp(), first));
        _sampling = SampleAsync();
    }

    /// <summary>Starts sampling; null when the balancer does not count its connections.</summary>
    public static async Task<NewConnectionRate?> StartAsync(IBalancer balancer) =>
        await balancer.ConnectionsOpenedAsync() is { } first ? new NewConnectionRate(balancer, first) : null;

    /// <summary>Takes one more sample now, so that a span ending now is counted to its end.</summary>
    public async Task SampleNowAsync()
    {
        if (await _balancer.ConnectionsOpenedAsync() is { } opened)
        {
            lock (_gate)
            {
                _samples.Add((Stopwatch.GetTimestamp(), opened));
            }
        }
    }

    /// <summary>
    /// The new connections to <paramref name="instances"/> (summed) from <paramref name="from"/> to <paramref name="to"/>
    /// (<see cref="Stopwatch"/> timestamps): all of them, the most within any one second, and the most within any one
    /// sampling interval (100 ms).
    /// </summary>
    public NewConnectionPeak Peak(IReadOnlyCollection<int> instances, long from, long to)
    {
        List<(long At, long Opened)> samples;
        lock (_gate)
        {
            samples = [.. _samples.Where(s => s.At >= from && s.At <= to).OrderBy(s => s.At).Select(s => (s.At, instances.Sum(i => s.Opened[i])))];
        }

        if (samples.Count < 2)
        {
            return new NewConnectionPeak(0, 0, 0);
        }

        long perSecond = 0, perInterval = 0;
        for (int end = 1, start = 0; end < samples.Count; end++)
        {
            while (Stopwatch.GetElapsedTime(samples[start].At, samples[end].At) > TimeSpan.FromSeconds(1))
            {
                start++;
            }

            perSecond = Math.Max(perSecond, samples[end].Opened - samples[start].Opened);
            perInterval = Math.Max(perInterval, samples[end].Opened - samples[end - 1].Opened);
        }

        return new NewConnectionPeak(samples[^1].Opened - samples[0].Opened, perSecond, perInterval);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await SampleNowAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}

/// <summary>
/// New connections at some instances over a span: in all, the most within any one second (the peak rate, per second),
/// and the most within any 100 ms (ten times that is the peak rate over the shortest span the sampling sees).
/// </summary>
public sealed record NewConnectionPeak(long Total, long PeakPerSecond, long PeakIn100Ms);
