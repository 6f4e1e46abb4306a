using System.Globalization;

namespace Graceful.Drill.Recording;

/// <summary>Markers derived from the recorded requests once the load has stopped.</summary>
public static class LoadSideMarkers
{
    /// <summary>
    /// After each signal, the first connect refused before the next signal: where the load first saw the listener
    /// closed. (It may be later than the close itself: connects come only as often as new connections are opened.)
    /// </summary>
    public static void AddListenerClosed(DrillRecorder recorder)
    {
        var requests = recorder.Requests;
        var signals = recorder.Markers.Where(m => m.Kind == MarkerKind.Signal).ToArray();
        for (var i = 0; i < signals.Length; i++)
        {
            var until = i + 1 < signals.Length ? signals[i + 1].At : double.MaxValue;
            var refused = requests.Where(r => r.Outcome == Outcome.Refused && r.Start >= signals[i].At && r.Start < until).MinBy(r => r.Start);
            if (refused is not null)
            {
                recorder.Mark(MarkerKind.ListenerClosed, "listener closed (first refused connect)", refused.Start);
            }
        }
    }

    /// <summary>The end of the last response that arrived before <paramref name="exitAt"/>, and how long before the exit.</summary>
    public static void AddLastResponse(DrillRecorder recorder, double exitAt)
    {
        var last = recorder.Requests.Where(r => r.Outcome is Outcome.Ok or Outcome.NonSuccess && r.End <= exitAt).MaxBy(r => r.End);
        if (last is not null)
        {
            recorder.Mark(MarkerKind.LastResponse, string.Create(CultureInfo.InvariantCulture, $"last response ({last.Method} {last.Path}, {exitAt - last.End:0.0} ms before the exit)"), last.End);
        }
    }
}
