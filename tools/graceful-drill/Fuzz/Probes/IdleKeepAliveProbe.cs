using System.Globalization;
using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// The keep-alive race: connections that each served a request and then sat idle for a random 70-300 ms, then a request
/// on each, 5 ms apart (75 ms from the first to the last), with the signal from 60 ms before the first to 5 ms after it: a
/// server closes idle connections some time after the signal, and some of these requests are on their way when it does.
/// </summary>
internal sealed class IdleKeepAliveProbe(ProbeContext context) : SpacedAfterIdleProbe(context, Connections, spacingMs: 5, idleFrom: 70, idleTo: 300)
{
    private const int Connections = 16;
    private readonly Http1Sender[] _senders = [.. Enumerable.Range(0, Connections).Select(_ => new Http1Sender(context.Address, keepAlive: true))];

    public override (double From, double To) SignalWindow => (-60, 5);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Count} keep-alive connections idle {Idle:0} ms, then a request on each, {SpacingMs:0} ms apart");

    public override Task PrepareAsync(CancellationToken cancellationToken) => Task.WhenAll(_senders.Select((_, i) => SendOnAsync(i, Context.Clock.Now)));

    public override void Dispose() => Array.ForEach(_senders, s => s.Dispose());

    protected override Task<RequestRecord> SendOnAsync(int index, double scheduled)
    {
        var request = Context.NextRequest();
        return SendAsync(t => _senders[index].SendAsync(request, t), request, index, scheduled);
    }
}
