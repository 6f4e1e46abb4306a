namespace Graceful.Tests;

/// <summary>Waiting for a state the test cannot be told about (a log line, a kernel table): it looks every 5 ms.</summary>
internal static class Poll
{
    /// <summary>Completes once <paramref name="condition"/> holds; throws (cancelled) if it still does not after <paramref name="within"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
