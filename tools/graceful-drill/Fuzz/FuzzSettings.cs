namespace Graceful.Drill.Fuzz;

/// <summary>
/// A fuzz run: <see cref="Trials"/> trials from <see cref="Seed"/>, the moments taking turns, and the size of an
/// accept-queue burst. The rest (requests, timeout, thresholds, report folder) is the drill's <see cref="DrillSettings"/>.
/// </summary>
public sealed record FuzzSettings(int Trials, int Seed, IReadOnlyList<Moment> Moments, int Burst);
