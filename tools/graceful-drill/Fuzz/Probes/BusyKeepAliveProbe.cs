using System.Globalization;
using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// Busy keep-alive connections: 16 connections each sending its next request as soon as the previous one is answered
/// (closed loop), and the signal a random 10-60 ms after they start. At any instant some are between a response and
/// their next request: a server that closes them as idle then closes them under that request. Each connection stops at
/// its first request that is not answered (refused once the listener closed, or lost), or after 2 s.
/// </summary>
internal sealed class BusyKeepAliveProbe(ProbeContext context) : MomentProbe(context)
{
    private const int Connections = 16;
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(2);
    private readonly Http1Sender[] _senders = [.. Enumerable.Range(0, Connections).Select(_ => new Http1Sender(context.Address, keepAlive: true))];

    public override double Lead => 10;

    public override (double From, double To) SignalWindow => (10, 60);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Connections} connections sending back to back");

    public override Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override async Task ActAsync(double momentAt, CancellationToken cancellationToken)
    {
        await ReachAsync(momentAt, cancellationToken);
        var until = Context.Clock.Now + Longest.TotalMilliseconds;
        await Task.WhenAll(_senders.Select((sender, i) => Task.Run(async () =>
        {
            RequestRecord last;
            do
            {
                var request = Context.NextRequest();
                last = await SendAsync(t => sender.SendAsync(request, t), request, i, Context.Clock.Now);
            }
            while (last.Outcome is Outcome.Ok or Outcome.NonSuccess && Context.Clock.Now < until);
        }, CancellationToken.None)));
    }

    public override void Dispose() => Array.ForEach(_senders, s => s.Dispose());
}
