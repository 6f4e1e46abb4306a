namespace Graceful.Drill.Fuzz;

/// <summary>
/// One trial of a fuzz run: its number, its seed and its moment. The first trial's seed is the run's <c>--seed</c> and
/// each next one is derived from it, so any trial runs again alone with <c>--fuzz 1 --seed SEED --moments MOMENT</c>:
/// the seed draws everything random in the trial (the signal's offset, idle times, where a request is cut).
/// </summary>
public sealed record TrialPlan(int Number, int Seed, Moment Moment)
{
    /// <summary>Trial <paramref name="index"/> (from 0) of a run: the moments take turns, so a short run covers each.</summary>
    public static TrialPlan For(int runSeed, int index, IReadOnlyList<Moment> moments) =>
        new(index + 1, index == 0 ? runSeed : Derive(runSeed, index), moments[index % moments.Count]);

    /// <summary>SplitMix64's finaliser: neighbouring inputs give unrelated seeds.</summary>
    private static int Derive(int runSeed, int index)
    {
        var z = unchecked((ulong)(uint)runSeed + ((ulong)index * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }
}
