using Graceful.Drill.Judging;
using Graceful.Drill.Load;

namespace Graceful.Drill;

/// <summary>
/// How a drill runs apart from its scenario: the load, how long it goes on after the scenario (<see cref="Tail"/>), the
/// bound on the whole run, the pass thresholds and where the reports go.
/// </summary>
public sealed record DrillSettings(
    string Title,
    LoadProfile Load,
    TimeSpan Tail,
    TimeSpan MaxDuration,
    long MaxLost,
    int? ExpectExitCode,
    ExpectedStatuses ExpectStatus,
    long MaxUnexpected,
    string OutputFolder);
