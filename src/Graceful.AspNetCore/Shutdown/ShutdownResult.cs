using Graceful.AspNetCore.Diagnostics.Reporting;

namespace Graceful.AspNetCore.Shutdown;

/// <summary>
/// How a shutdown ended: its report, its drain (null when the host stopped before a drain could finish, e.g. a
/// start-up that failed) and the exit code the process should end with.
/// </summary>
internal sealed record ShutdownResult(ShutdownReport Report, DrainResult? Drain)
{
    /// <summary>0 after a clean drain (or what the application set), <see cref="GracefulOptions.DeadlineExitCode"/> after a cut.</summary>
    public int ExitCode => Report.ExitCode;
}
