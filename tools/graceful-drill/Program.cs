using System.CommandLine;
using Graceful.Drill;
using Graceful.Drill.Cli;
using Spectre.Console;

// Written to a file or a CI log, tables get room instead of the 80 columns assumed without a terminal, and a verdict's
// reason stays on one line for grep (tables are only as wide as their content).
if (!AnsiConsole.Profile.Capabilities.Interactive && Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 1000;
}

var parse = DrillCommand.Create(AnsiConsole.Console).Parse(args);
if (parse.Errors.Count > 0)
{
    // One line however many values were wrong; the help is one --help away.
    CouldNotRun.WriteLine(string.Join(" ", parse.Errors.Select(e => e.Message)) + " (--help lists the options)");
    return CouldNotRun.ExitCode;
}

try
{
    // Our own handler, not System.CommandLine's: a failure to run is one line on stderr and exit 2, never a stack trace.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    return CouldNotRun.Report(AnsiConsole.Console, e);
}
