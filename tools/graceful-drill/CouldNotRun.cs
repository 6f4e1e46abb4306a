using System.ComponentModel;
using Spectre.Console;

namespace Graceful.Drill;

/// <summary>
/// How a drill that could not run says so: any detail on standard output, then one line on standard error, never a
/// stack trace; exit code 2. An exception of a kind the drill does not expect is named, since it is a bug to report.
/// </summary>
public static class CouldNotRun
{
    public const int ExitCode = 2;

    public static int Report(IAnsiConsole console, Exception error)
    {
        var (line, detail) = Describe(error);
        if (detail is not null)
        {
            console.WriteLine(detail);
        }

        WriteLine(line);
        return ExitCode;
    }

    /// <summary>One line on standard error, prefixed with the program's name as command-line tools do.</summary>
    public static void WriteLine(string message) => Console.Error.WriteLine($"graceful-drill: {message}");

    /// <summary>The first line of the message, and the rest (a service's output, often) as detail.</summary>
    public static (string Line, string? Detail) Describe(Exception error)
    {
        var message = error switch
        {
            DrillException or FormatException or ArgumentException or TimeoutException or InvalidOperationException or IOException or UnauthorizedAccessException => error.Message,
            Win32Exception e => $"{e.Message} ({nameof(Win32Exception)} {e.NativeErrorCode})",
            _ => $"unexpected {error.GetType().Name}: {error.Message}",
        };
        var lines = message.Split('\n', 2, StringSplitOptions.TrimEntries);
        var detail = error is DrillException { Detail: { } d } ? d : lines.Length > 1 && lines[1].Length > 0 ? lines[1] : null;
        return (lines[0], detail);
    }
}
