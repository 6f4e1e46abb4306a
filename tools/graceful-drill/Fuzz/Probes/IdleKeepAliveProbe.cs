using System.Globalization;
using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// The keep-alive race: connections that each served a request and then sat idle for a random 70-300 ms, then a request
/// on each, 5 ms apart (75 ms from the first to the last), with the signal from 60 ms before the first to 5 ms after it: a
/// server closes idle connections some time after the signal, and some of these requests are on their way when it does.
/// </summary>
internal sealed class IdleKeepAliveProbe(ProbeContext context) : MomentProbe(context)
{
    private const int Connections = 16;
    private const double SpacingMs = 5;
    private readonly double _idle = context.Uniform(70, 300);
    private readonly Http1Sender[] _senders = [.. Enumerable.Range(0, Connections).Select(_ => new Http1Sender(context.Address, keepAlive: true))];

    public override double Lead => _idle;

    public override (double From, double To) SignalWindow => (-60, 5);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Connections} keep-alive connections idle {_idle:0} ms, then a request on each, {SpacingMs:0} ms apart");

    public override Task PrepareAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_senders.Select((sender, i) => SendOnAsync(sender, i, Context.Clock.Now)));

    public override Task ActAsync(double momentAt, CancellationToken cancellationToken) => Task.WhenAll(_senders.Select(async (sender, i) =>
    {
        var at = momentAt + (i * SpacingMs);
        await ReachAsync(at, cancellationToken);
        await SendOnAsync(sender, i, at);
    }));

    public override void Dispose() => Array.ForEach(_senders, s => s.Dispose());

    private Task<RequestRecord> SendOnAsync(Http1Sender sender, int connection, double scheduled)
    {
        var request = Context.NextRequest();
        return SendAsync(t => sender.SendAsync(request, t), request, connection, scheduled);
    }
}
