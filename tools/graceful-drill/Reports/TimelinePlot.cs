using Graceful.Drill.Recording;
using ScottPlot;

namespace Graceful.Drill.Reports;

/// <summary>
/// The timeline as a PNG: requests per 10 ms bucket, by the time they were sent, as bars stacked by outcome, with a
/// vertical line per marker (signal, listener closed, last response, exit, upgrade or rotation step).
/// </summary>
public static class TimelinePlot
{
    public const double BucketMs = 10;
    public const int Width = 1400;
    public const int Height = 520;

    public static byte[] Render(DrillReport report)
    {
        var plot = new Plot();
        var end = Math.Max(report.Summary.DurationMs, report.Markers.Select(m => m.At).DefaultIfEmpty(0).Max());
        var buckets = (int)Math.Ceiling(end / BucketMs) + 1;
        var counts = new int[buckets, Enum.GetValues<Outcome>().Length];
        foreach (var request in report.Requests)
        {
            counts[Math.Clamp((int)(request.Start / BucketMs), 0, buckets - 1), (int)request.Outcome]++;
        }

        var bars = new List<Bar>();
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            double stacked = 0;
            foreach (var outcome in Enum.GetValues<Outcome>())
            {
                var count = counts[bucket, (int)outcome];
                if (count == 0)
                {
                    continue;
                }

                bars.Add(new Bar
                {
                    Position = (bucket + 0.5) * BucketMs / 1000,
                    Size = BucketMs / 1000,
                    ValueBase = stacked,
                    Value = stacked + count,
                    FillColor = Color.FromHex(OutcomeColors.Hex(outcome)),
                    LineWidth = 0,
                });
                stacked += count;
            }
        }

        if (bars.Count > 0)
        {
            plot.Add.Bars(bars);
        }

        // No text on the lines: markers often fall within a few ms of each other. The legend names the kinds and
        // the report's marker table gives each one's time and detail.
        foreach (var marker in report.Markers)
        {
            plot.Add.VerticalLine(marker.At / 1000, 2, Color.FromHex(OutcomeColors.Hex(marker.Kind)),
                marker.Kind is MarkerKind.Signal or MarkerKind.Exit ? LinePattern.Solid : LinePattern.Dashed);
        }

        var legend = Enum.GetValues<Outcome>().Where(o => report.Requests.Any(r => r.Outcome == o))
            .Select(o => new LegendItem { LabelText = $"{OutcomeColors.Label(o)} ({report.Requests.Count(r => r.Outcome == o)})", FillColor = Color.FromHex(OutcomeColors.Hex(o)) })
            .Concat(report.Markers.Select(m => m.Kind).Distinct()
                .Select(k => new LegendItem { LabelText = MarkerLegend(report, k), LineColor = Color.FromHex(OutcomeColors.Hex(k)), LineWidth = 2 }));
        plot.ShowLegend([.. legend], Alignment.UpperLeft);
        plot.Title(report.Title);
        plot.XLabel("seconds since the load started (requests by the time they were sent)");
        plot.YLabel($"requests per {BucketMs:0} ms");
        plot.Axes.SetLimitsX(0, end / 1000);
        plot.Axes.Margins(bottom: 0);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    private static string MarkerLegend(DrillReport report, MarkerKind kind)
    {
        var count = report.Markers.Count(m => m.Kind == kind);
        var signals = kind == MarkerKind.Signal
            ? " " + string.Join('/', report.Markers.Where(m => m.Kind == kind).Select(m => m.Label.Split(' ')[0]).Distinct())
            : "";
        return count == 1 ? $"{OutcomeColors.Label(kind)}{signals}" : $"{OutcomeColors.Label(kind)}{signals} (×{count})";
    }
}
