using System.CommandLine;
using Graceful.AspNetCore;

namespace SlowService;

/// <summary>A command-line option that takes a duration the way Graceful's configuration does.</summary>
internal static class DurationOption
{
    public static Option<TimeSpan?> Create(string name, string description, TimeSpan? defaultValue = null) => new(name)
    {
        Description = description,
        HelpName = "duration",
        DefaultValueFactory = _ => defaultValue,
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
