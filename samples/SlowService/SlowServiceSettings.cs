namespace SlowService;

/// <summary>What the command line chose.</summary>
internal sealed record SlowServiceSettings(string Urls, TimeSpan Slow, TimeSpan? ShutdownTimeout, TimeSpan? PreStopDelay, TimeSpan? PreStopQuiet,
    TimeSpan? PreStopMax, Graceful.AspNetCore.PreStopConnectionClose? PreStopClose, string? ReportPath,
    string? PidFile);
