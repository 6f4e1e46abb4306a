using System.Globalization;
using System.Text;
using Graceful.Drill.Load;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// Requests caught part-way: each of 4 requests of the mix is written in two parts, cut at a random byte of its head or
/// body, a random 5-50 ms apart, and the signal comes between the two writes. Each goes on a new connection or on one
/// that served a request before, at random. Put a request with a body in the mix (<c>--request "1 POST /echo hello"</c>)
/// to have bodies cut too.
/// </summary>
internal sealed class MidRequestProbe : MomentProbe
{
    private const int Connections = 4;
    private readonly double _gap;
    private readonly Cut[] _cuts;

    public MidRequestProbe(ProbeContext context)
        : base(context)
    {
        _gap = context.Uniform(5, 50);
        _cuts = [.. Enumerable.Range(0, Connections).Select(_ =>
        {
            var request = context.NextRequest();
            var bytes = request.ToHttp1(context.Address.Authority, keepAlive: true);
            return new Cut(request, new Http1Sender(context.Address, keepAlive: true), Reused: context.Below(2) == 1, At: 1 + context.Below(bytes.Length - 1),
                HeadLength: bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4, Length: bytes.Length);
        })];
    }

    public override double Lead => 10;

    public override (double From, double To) SignalWindow => (0, _gap);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Connections} requests in two writes {_gap:0.#} ms apart: {string.Join("; ", _cuts.Select(c => c.Describe()))}");

    public override Task PrepareAsync(CancellationToken cancellationToken) => Task.WhenAll(_cuts.Where(c => c.Reused).Select((cut, i) =>
    {
        var request = Context.NextRequest();
        return SendAsync(t => cut.Sender.SendAsync(request, t), request, Array.IndexOf(_cuts, cut), Context.Clock.Now);
    }));

    public override Task ActAsync(double momentAt, CancellationToken cancellationToken) => Task.WhenAll(_cuts.Select(async (cut, i) =>
    {
        await ReachAsync(momentAt, cancellationToken);
        var rest = new SplitSend(cut.At, () => Scenarios.ScenarioClock.DelayUntilAsync(Context.Clock, TimeSpan.FromMilliseconds(momentAt + _gap), CancellationToken.None));
        await SendAsync(t => cut.Sender.SendAsync(cut.Request, rest, t), cut.Request, i, momentAt);
    }));

    public override void Dispose() => Array.ForEach(_cuts, c => c.Sender.Dispose());

    private sealed record Cut(RequestSpec Request, Http1Sender Sender, bool Reused, int At, int HeadLength, int Length)
    {
        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"{Request.Method} {Request.Path} cut at byte {At} of {Length} ({(At < HeadLength ? "head" : "body")}) on a {(Reused ? "reused" : "new")} connection");
    }
}
