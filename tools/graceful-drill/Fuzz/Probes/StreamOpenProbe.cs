using System.Globalization;
using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// HTTP/2 streams being opened: one h2c connection serves a request, idles a random 50-300 ms, then 8 streams are
/// opened on it 5 ms apart, with the signal from 40 ms before the first to 5 ms after it. Streams a GOAWAY says were
/// never processed are retried by the client (<see cref="HttpClient"/>, as the drill's HTTP/2 load), and then answered or refused.
/// </summary>
internal sealed class StreamOpenProbe(ProbeContext context) : SpacedAfterIdleProbe(context, count: 8, spacingMs: 5, idleFrom: 50, idleTo: 300)
{
    private readonly HttpClient _client = Http2Sender.CreateClient(context.Load.RequestTimeout);

    public override (double From, double To) SignalWindow => (-40, 5);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"an HTTP/2 connection idle {Idle:0} ms, then {Count} streams opened on it, {SpacingMs:0} ms apart");

    public override Task PrepareAsync(CancellationToken cancellationToken) => SendOnAsync(0, Context.Clock.Now);

    public override void Dispose() => _client.Dispose();

    protected override Task<RequestRecord> SendOnAsync(int index, double scheduled)
    {
        var request = Context.NextRequest();
        var sender = new Http2Sender(Context.Address, _client);
        return SendAsync(t => sender.SendAsync(request, t), request, index, scheduled);
    }
}
