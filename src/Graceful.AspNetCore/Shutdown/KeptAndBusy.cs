
using Graceful.AspNetCore.Diagnostics.Logging;
using Graceful.AspNetCore.Transport.Connections;

namespace Graceful.AspNetCore.Shutdown;

/// <summary>
/// The rest of the close-idle line, rendered as one value so that line keeps the shutdown path's (reference, int,
/// reference) logging shape; the numbers themselves are in the shutdown report and the metrics.
/// </summary>
internal sealed class KeptAndBusy(DrainStart start, LoggedDuration idleGrace)
{
    public override string ToString() =>
        $"kept {start.KeptForNextRequest} recently active ones up to {idleGrace} for their next request, {start.Busy} busy ones close after their response";
}
