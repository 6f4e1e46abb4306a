using System.Globalization;
using Graceful.Drill.Cli;
using Graceful.Harness;

namespace Graceful.Drill.Scenarios;

/// <summary>A signal and when to send it after the load started: <c>TERM@2s</c>, <c>INT@1500ms</c>, <c>QUIT</c> (at 2 s).</summary>
public sealed record TimedSignal(string Name, int Number, TimeSpan At)
{
    private static readonly string[] Known = ["TERM", "INT", "QUIT", "HUP"];

    /// <summary>SIGHUP asks for a reload or an upgrade; the others ask the process to stop.</summary>
    public bool Stops => Number != Signals.SIGHUP;

    public static TimedSignal Parse(string text)
    {
        var parts = text.Split('@', 2);
        var name = parts[0].Trim().ToUpperInvariant();
        name = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        if (!Known.Contains(name))
        {
            throw new FormatException($"'{parts[0]}' is not one of {string.Join(", ", Known)}.");
        }

        var at = parts.Length == 2 ? Durations.Parse(parts[1]) : TimeSpan.FromSeconds(2);
        return new TimedSignal(name, Signals.FromName("SIG" + name), at);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"SIG{Name} at {Durations.Format(At)}");
}
