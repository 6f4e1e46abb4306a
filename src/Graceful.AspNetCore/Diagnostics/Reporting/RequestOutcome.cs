namespace Graceful.AspNetCore.Diagnostics.Reporting;

/// <summary>How a reported request ended, as written in the report.</summary>
internal static class RequestOutcome
{
    public const string Completed = "completed";
    public const string CompletedAfterSoftDeadline = "completed-after-soft-deadline";
    public const string Aborted = "aborted";
    public const string Running = "running";
}
