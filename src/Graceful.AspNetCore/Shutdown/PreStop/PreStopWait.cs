
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;

namespace Graceful.AspNetCore.Shutdown.PreStop;

/// <summary>
/// Waits out the pre-stop. Fixed: <see cref="GracefulOptions.PreStopDelay"/>. Adaptive (a quiet period is set): at
/// least the delay, then until no request has arrived for the quiet period, and never past the maximum. Nothing polls:
/// each wait ends exactly when the quiet period would be over if nothing else arrived, and re-arms if something did.
/// </summary>
internal sealed class PreStopWait(TrafficWatch traffic, ConnectionTracker connections, TimeProvider time)
{
    /// <summary>Runs the pre-stop from <paramref name="signalAt"/>; a cut ends it at once and is reported as <paramref name="cutBy"/>.</summary>
    public async Task<PreStopEnd> RunAsync(GracefulOptions options, long signalAt, Func<string> cutBy, CancellationToken cut)
    {
        traffic.Start(signalAt, options.PreStopIgnorePaths);
        var endedBy = PreStopEndedBy.Delay;
        try
        {
            if (options.PreStopCloseConnections == PreStopConnectionClose.FromStart)
            {
                connections.CloseAfterResponses(options.IdleGrace);
            }

            await DelayUntilAsync(signalAt, options.PreStopDelay, cut);
            if (options.PreStopCloseConnections == PreStopConnectionClose.AfterDelay)
            {
                connections.CloseAfterResponses(options.IdleGrace);
            }

            if (options.PreStopQuietPeriod is { } quiet)
            {
                endedBy = await WaitForQuietAsync(signalAt, quiet, options.PreStopMaxDelay, cut);
            }
        }
        catch (OperationCanceledException) when (cut.IsCancellationRequested)
        {
            endedBy = cutBy();
        }

        return new PreStopEnd(endedBy, time.GetElapsedTime(signalAt), traffic.Stop());
    }

    private async Task<string> WaitForQuietAsync(long signalAt, TimeSpan quiet, TimeSpan max, CancellationToken cut)
    {
        while (true)
        {
            var now = time.GetTimestamp();
            var sinceSignal = time.GetElapsedTime(signalAt, now);
            if (sinceSignal >= max)
            {
                return PreStopEndedBy.Maximum;
            }

            var quietFor = time.GetElapsedTime(traffic.LastArrival, now);
            if (quietFor >= quiet)
            {
                return PreStopEndedBy.Quiet;
            }

            var untilQuiet = quiet - quietFor;
            var untilMax = max - sinceSignal;
            await Task.Delay(untilQuiet < untilMax ? untilQuiet : untilMax, time, cut);
        }
    }

    private async Task DelayUntilAsync(long start, TimeSpan length, CancellationToken cut)
    {
        var left = length - time.GetElapsedTime(start);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, time, cut);
        }
    }
}
