namespace Graceful.Drill.Load;

/// <summary>Picks the next request of the mix by weight, reproducibly (a seeded generator per picker).</summary>
public sealed class RequestMix(IReadOnlyList<RequestSpec> requests, int seed)
{
    private readonly double _total = requests.Sum(r => r.Weight);
    private readonly Random _random = new(seed);

    public IReadOnlyList<RequestSpec> Requests { get; } = requests;

    public RequestSpec Next()
    {
        // Not for security: a reproducible mix is the point.
#pragma warning disable CA5394
        var pick = _random.NextDouble() * _total;
#pragma warning restore CA5394
        foreach (var request in Requests)
        {
            pick -= request.Weight;
            if (pick < 0)
            {
                return request;
            }
        }

        return Requests[^1];
    }
}
