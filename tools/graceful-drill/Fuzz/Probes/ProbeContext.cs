using Graceful.Drill.Load;
using Graceful.Drill.Recording;

namespace Graceful.Drill.Fuzz.Probes;

/// <summary>What a probe works with: the service's address, the load's requests and timeout, the trial's clock and its seeded randomness.</summary>
internal sealed class ProbeContext(Uri address, LoadProfile load, DrillClock clock, int seed, int burst)
{
    private readonly Random _random = new(seed);
    private readonly RequestMix _mix = new(load.Mix, seed);

    public Uri Address { get; } = address;

    public LoadProfile Load { get; } = load;

    public DrillClock Clock { get; } = clock;

    /// <summary>Connects in an accept-queue burst.</summary>
    public int Burst { get; } = burst;

    // Not for security: a trial that can be run again from its seed is the point.
#pragma warning disable CA5394
    public double Uniform(double from, double to) => from + (_random.NextDouble() * (to - from));

    public int Below(int count) => _random.Next(count);
#pragma warning restore CA5394

    /// <summary>The next request of the load's mix.</summary>
    public RequestSpec NextRequest() => _mix.Next();
}
