using Graceful.Drill.Recording;

namespace Graceful.Drill.Reports;

/// <summary>One colour per outcome and per marker kind, shared by the plot and the HTML page so they read alike.</summary>
public static class OutcomeColors
{
    public static string Hex(Outcome outcome) => outcome switch
    {
        Outcome.Ok => "#2CA02C",
        Outcome.NonSuccess => "#FF7F0E",
        Outcome.Lost => "#D62728",
        Outcome.Refused => "#7F7F7F",
        Outcome.TimedOut => "#9467BD",
        _ => "#000000",
    };

    public static string Hex(MarkerKind kind) => kind switch
    {
        MarkerKind.Signal => "#000000",
        MarkerKind.ListenerClosed => "#8C564B",
        MarkerKind.LastResponse => "#1F77B4",
        MarkerKind.Exit => "#E377C2",
        MarkerKind.Step => "#17BECF",
        _ => "#000000",
    };

    public static string Label(Outcome outcome) => outcome switch
    {
        Outcome.Ok => "ok",
        Outcome.NonSuccess => "non-2xx",
        Outcome.Lost => "lost",
        Outcome.Refused => "refused",
        Outcome.TimedOut => "timed out",
        _ => outcome.ToString(),
    };

    public static string Label(MarkerKind kind) => kind switch
    {
        MarkerKind.Signal => "signal",
        MarkerKind.ListenerClosed => "listener closed",
        MarkerKind.LastResponse => "last response",
        MarkerKind.Exit => "exit",
        MarkerKind.Step => "upgrade / rotation step",
        _ => kind.ToString(),
    };
}
