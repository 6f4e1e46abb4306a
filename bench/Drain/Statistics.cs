/// <summary>Summaries of a benchmark's rounds.</summary>
internal static class Statistics
{
    /// <summary>The middle value (the upper one of an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
