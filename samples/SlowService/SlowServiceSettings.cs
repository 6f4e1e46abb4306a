namespace SlowService;

/// <summary>What the command line chose.</summary>
internal sealed record SlowServiceSettings(string Urls, TimeSpan Slow, TimeSpan? ShutdownTimeout, TimeSpan? PreStopDelay, TimeSpan? PreStopQuiet,
    TimeSpan? PreStopMax, string? ReportPath,
    string? PidFile);
