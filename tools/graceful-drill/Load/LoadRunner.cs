using System.Threading.Channels;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Load;

/// <summary>
/// Applies a <see cref="LoadProfile"/> to one address until stopped, recording every request. Paced (open loop): one
/// scheduler hands out requests at their due times and <see cref="LoadProfile.Concurrency"/> workers send them, each on
/// its own connection; a request due while every worker is busy waits and its wait counts in its latency. Unpaced
/// (closed loop): each worker sends back to back. At stop, requests in flight finish (each bounded by the request
/// timeout) and requests still waiting for a worker are counted as <see cref="Unsent"/>, not recorded.
/// Unpaced workers pause 10 ms after a refused connect.
/// </summary>
public sealed class LoadRunner(LoadProfile profile, Uri address, DrillRecorder recorder)
{
    private long _unsent;

    /// <summary>Requests the schedule wanted sent that no worker was free for before the load stopped.</summary>
    public long Unsent => Interlocked.Read(ref _unsent);

    public async Task RunAsync(CancellationToken stop)
    {
        using var sharedHttp2 = profile.Protocol == HttpProtocol.Http2 && profile.KeepAlive ? Http2Sender.CreateClient(profile.RequestTimeout) : null;
        IRequestSender NewSender() => profile.Protocol == HttpProtocol.Http1
            ? new Http1Sender(address, profile.KeepAlive)
            : new Http2Sender(address, sharedHttp2);

        if (profile.Rate <= 0)
        {
            await Task.WhenAll(Enumerable.Range(0, profile.Concurrency).Select(w => Task.Run(() => ClosedLoopWorkerAsync(w, NewSender(), stop), CancellationToken.None)));
            return;
        }

        var due = Channel.CreateUnbounded<(RequestSpec Request, double Scheduled)>(new UnboundedChannelOptions { SingleWriter = true });
        var workers = Enumerable.Range(0, profile.Concurrency).Select(w => Task.Run(() => PacedWorkerAsync(w, NewSender(), due.Reader, stop), CancellationToken.None)).ToArray();
        await ScheduleAsync(due.Writer, stop);
        await Task.WhenAll(workers);
    }

    private async Task ScheduleAsync(ChannelWriter<(RequestSpec, double)> due, CancellationToken stop)
    {
        var mix = new RequestMix(profile.Mix, profile.Seed);
        var interval = 1000.0 / profile.Rate;
        var start = recorder.Clock.Now;
        for (long sent = 0; !stop.IsCancellationRequested;)
        {
            // Catch up on everything due by now, then sleep until the next one: timers are coarse, the schedule is not.
            var now = recorder.Clock.Now;
            for (var next = start + (sent * interval); next <= now; next = start + (++sent * interval))
            {
                due.TryWrite((mix.Next(), next));
            }

            var wait = start + (sent * interval) - recorder.Clock.Now;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, wait)), stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        due.Complete();
    }

    private async Task PacedWorkerAsync(int worker, IRequestSender sender, ChannelReader<(RequestSpec Request, double Scheduled)> due, CancellationToken stop)
    {
        using (sender)
        {
            await foreach (var (request, scheduled) in due.ReadAllAsync(CancellationToken.None))
            {
                if (stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _unsent);
                    continue;
                }

                await SendAsync(worker, sender, request, scheduled);
            }
        }
    }

    private async Task ClosedLoopWorkerAsync(int worker, IRequestSender sender, CancellationToken stop)
    {
        using (sender)
        {
            var mix = new RequestMix(profile.Mix, profile.Seed + worker);
            while (!stop.IsCancellationRequested)
            {
                if (await SendAsync(worker, sender, mix.Next(), recorder.Clock.Now) == Outcome.Refused)
                {
                    // A refused connect returns at once: without a pause a closed loop would only count refusals.
                    await Task.Delay(10, CancellationToken.None);
                }
            }
        }
    }

    private async Task<Outcome> SendAsync(int worker, IRequestSender sender, RequestSpec request, double scheduled)
    {
        var record = await TimedSend.RunAsync(t => sender.SendAsync(request, t), request, recorder.NextId(), worker, scheduled, recorder.Clock, profile.RequestTimeout);
        recorder.Add(record);
        return record.Outcome;
    }
}
