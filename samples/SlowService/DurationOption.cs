using System.CommandLine;
using Graceful.AspNetCore;

namespace SlowService;

/// <summary>
/// A command-line option that takes a duration the way Graceful's configuration does. It has no default value of its
/// own: help would print it as a TimeSpan (00:00:30) beside descriptions written as 30s, so each description names its
/// default and the caller applies it.
/// </summary>
internal static class DurationOption
{
    public static Option<TimeSpan?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
            if (GracefulDuration.TryParse(text, out var value) && (value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not {GracefulDuration.Syntax} (and must be positive).");
            return null;
        },
    };
}
