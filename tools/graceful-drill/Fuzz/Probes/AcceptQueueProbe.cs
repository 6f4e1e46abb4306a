using System.Globalization;
using Graceful.Drill.Load;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>
/// A full accept queue: a burst of connects (<c>--burst</c>, beyond Kestrel's default backlog of 512), each sending one
/// request with <c>Connection: close</c>, and the signal 0-20 ms after the burst began. Connections the kernel completed
/// but the server had not accepted when its listener closed are reset by the kernel (Graceful takes them first, on Linux). The machine's count of listen
/// queue overflows (<c>TcpExt ListenOverflows</c>, all sockets) says whether the queue really filled.
/// </summary>
internal sealed class AcceptQueueProbe(ProbeContext context) : MomentProbe(context)
{
    private long? _overflowsBefore;
    private long? _overflows;

    public override double Lead => 10;

    public override (double From, double To) SignalWindow => (0, 20);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"a burst of {Context.Burst} connects, a request on each{(_overflows is { } o ? $" (listen queue overflows on the machine: +{o})" : "")}");

    public override Task PrepareAsync(CancellationToken cancellationToken)
    {
        _overflowsBefore = ListenOverflows.Read();
        return Task.CompletedTask;
    }

    public override async Task ActAsync(double momentAt, CancellationToken cancellationToken)
    {
        await ReachAsync(momentAt, cancellationToken);
        var requests = Enumerable.Range(0, Context.Burst).Select(_ => Context.NextRequest()).ToArray();
        await Task.WhenAll(requests.Select((request, i) => Task.Run(async () =>
        {
            using var sender = new Http1Sender(Context.Address, keepAlive: false);
            await SendAsync(t => sender.SendAsync(request, t), request, i, momentAt);
        }, CancellationToken.None)));
        _overflows = ListenOverflows.Read() - _overflowsBefore;
    }

    public override void Dispose()
    {
        // Each connect of the burst closed its own connection.
    }
}
