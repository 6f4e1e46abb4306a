using System.Globalization;
using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// HTTP/2 streams being opened: one h2c connection serves a request, idles a random 50-300 ms, then 8 streams are
/// opened on it 5 ms apart, with the signal from 40 ms before the first to 5 ms after it. Streams a GOAWAY says were
/// never processed are retried by the client (<see cref="HttpClient"/>, as the drill's HTTP/2 load), and then answered or refused.
/// </summary>
internal sealed class StreamOpenProbe(ProbeContext context) : MomentProbe(context)
{
    private const int Streams = 8;
    private const double SpacingMs = 5;
    private readonly double _idle = context.Uniform(50, 300);
    private readonly HttpClient _client = Http2Sender.CreateClient(context.Load.RequestTimeout);

    public override double Lead => _idle;

    public override (double From, double To) SignalWindow => (-40, 5);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"an HTTP/2 connection idle {_idle:0} ms, then {Streams} streams opened on it, {SpacingMs:0} ms apart");

    public override Task PrepareAsync(CancellationToken cancellationToken) => SendOnAsync(0, Context.Clock.Now);

    public override Task ActAsync(double momentAt, CancellationToken cancellationToken) => Task.WhenAll(Enumerable.Range(0, Streams).Select(async i =>
    {
        var at = momentAt + (i * SpacingMs);
        await ReachAsync(at, cancellationToken);
        await SendOnAsync(i, at);
    }));

    public override void Dispose() => _client.Dispose();

    private Task<RequestRecord> SendOnAsync(int stream, double scheduled)
    {
        var request = Context.NextRequest();
        var sender = new Http2Sender(Context.Address, _client);
        return SendAsync(t => sender.SendAsync(request, t), request, stream, scheduled);
    }
}
