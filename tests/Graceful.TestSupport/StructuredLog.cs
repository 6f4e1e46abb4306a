namespace Graceful.TestSupport;

/// <summary>
/// A child process's log as structured events: started with <see cref="Environment"/>, it writes each entry as one
/// JSON line, which <see cref="Events(ServiceProcess, EventKey)"/> and <see cref="WaitForEventAsync"/> find by <see cref="EventKey"/>.
/// </summary>
public static class StructuredLog
{
    /// <summary>The configuration (as environment variables) that selects the JSON console formatter.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } =
        new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" };

    /// <summary><paramref name="environment"/> with <see cref="Environment"/> added (the caller's values win).</summary>
    public static Dictionary<string, string> With(IReadOnlyDictionary<string, string>? environment)
    {
        var merged = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>Every logged event of the process so far.</summary>
    public static IReadOnlyList<LoggedEvent> Events(this ServiceProcess service) =>
        [.. service.Lines.Select(LoggedEvent.Parse).OfType<LoggedEvent>()];

    /// <summary>The logged events <paramref name="key"/> so far.</summary>
    public static IReadOnlyList<LoggedEvent> Events(this ServiceProcess service, EventKey key) =>
        [.. service.Events().Where(e => e.Is(key))];

    /// <summary>Waits for event <paramref name="key"/> (matching <paramref name="where"/>), which may already be logged.</summary>
    public static async Task<LoggedEvent> WaitForEventAsync(this ServiceProcess service, EventKey key, TimeSpan timeout,
        Func<LoggedEvent, bool>? where = null)
    {
        bool Matches(LoggedEvent? e) => e is not null && e.Is(key) && (where?.Invoke(e) ?? true);
        var line = await service.WaitForLineAsync(l => l.Contains(key.Category, StringComparison.Ordinal) && Matches(LoggedEvent.Parse(l)), timeout);
        return LoggedEvent.Parse(line)!;
    }
}
