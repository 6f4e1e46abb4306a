namespace Graceful.Harness;

/// <summary>
/// How each keep-alive client of a <see cref="KeepAliveLoad"/> spaces its requests: back to back, short random pauses
/// (1-5 ms, the HAProxy case), or paced (a fixed 20 ms, a steadier, lighter load).
/// </summary>
public sealed record LoadShape(string Name, TimeSpan Pause, TimeSpan PauseUpTo)
{
    public static LoadShape BackToBack { get; } = new("back-to-back", TimeSpan.Zero, TimeSpan.Zero);

    public static LoadShape ShortPauses { get; } = new("pauses 1-5 ms", TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));

    public static LoadShape Paced { get; } = new("paced 20 ms", TimeSpan.FromMilliseconds(20), TimeSpan.Zero);

    /// <summary>The shape the rolling restart used before the matrix: 10 ms between requests.</summary>
    public static LoadShape Paced10 { get; } = new("paced 10 ms", TimeSpan.FromMilliseconds(10), TimeSpan.Zero);

    public static LoadShape Parse(string name) => name switch
    {
        "back-to-back" => BackToBack,
        "short" or "short-pauses" => ShortPauses,
        "paced" => Paced,
        _ => throw new ArgumentException($"Unknown load shape '{name}': use back-to-back, short or paced.", nameof(name)),
    };

    public Task<LoadResult> RunAsync(Uri baseAddress, int clients, string path, TimeSpan duration, LoadCounters counters, CancellationToken cancellationToken) =>
        KeepAliveLoad.RunAsync(baseAddress, clients, path, duration, Pause, stopWhenRefused: false, counters, PauseUpTo, cancellationToken);
}
