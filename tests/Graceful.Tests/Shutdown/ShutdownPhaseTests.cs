using System.Reflection;
using System.Text.RegularExpressions;
using Graceful.AspNetCore.Shutdown;
using Microsoft.Extensions.Logging;

namespace Graceful.Tests.Shutdown;

/// <summary>The phase type is the one source of the phases' order and names: the log and the report follow it.</summary>
public partial class ShutdownPhaseTests
{
    // The phases the log numbers "n/5" and the report lists, in order.
    private static readonly ShutdownPhase[] Numbered =
        [ShutdownPhase.StopAccepting, ShutdownPhase.CloseIdle, ShutdownPhase.Drain, ShutdownPhase.Hooks, ShutdownPhase.Exit];

    [Fact]
    public void PhaseLines_NumberThePhasesInTheOrderOfTheType_WithTheReportsNames()
    {
        var lines = typeof(ShutdownEvents).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>()?.Message)
            .OfType<string>()
            .Select(message => PhaseLine().Match(message))
            .Where(match => match.Success)
            .ToList();

        Assert.Equal(7, lines.Count); // stop accepting, close idle (or its spread), drained, drain cut, hooks, exit
        foreach (var line in lines)
        {
            var phase = Numbered[int.Parse(line.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) - 1];
            Assert.Equal(Numbered.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), line.Groups["of"].Value);
            Assert.Equal(phase.ReportName(), line.Groups["name"].Value.Replace(' ', '-'));
        }
    }

    [Fact]
    public void Phases_AreDeclaredInTheOrderTheyRun()
    {
        var order = Enum.GetValues<ShutdownPhase>();

        Assert.Equal([ShutdownPhase.Serving, ShutdownPhase.Triggered, ShutdownPhase.PreStop, .. Numbered], order);
        Assert.Equal("pre-stop-delay", ShutdownPhase.PreStop.ReportName());
    }

    [GeneratedRegex(@"^Phase (?<n>\d)/(?<of>\d) (?<name>[a-z ]+?)(?: in |: )")]
    private static partial Regex PhaseLine();
}
