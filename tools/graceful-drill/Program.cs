using System.CommandLine;
using System.Runtime.InteropServices;
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

// The first Ctrl+C (or SIGTERM) stops the load and the service and writes the reports; a second ends the drill at once.
using var interrupted = new CancellationTokenSource();
var interruptions = 0;
void Interrupt(PosixSignalContext context)
{
    if (Interlocked.Increment(ref interruptions) == 1)
    {
        context.Cancel = true;
        interrupted.Cancel();
    }
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
try
{
    // Our own handlers, not System.CommandLine's: a failure to run is one line on stderr and exit 2, never a stack
    // trace, and an interrupted drill does not leave its service running.
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, interrupted.Token);
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    CouldNotRun.WriteLine("Interrupted before the load started; the service was stopped.");
    return CouldNotRun.ExitCode;
}
catch (Exception e)
{
    return CouldNotRun.Report(AnsiConsole.Console, e);
}
