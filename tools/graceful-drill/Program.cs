using Graceful.Drill;
using Graceful.Drill.Cli;
using Spectre.Console;

// Written to a file or a CI log, tables get room instead of the 80 columns assumed without a terminal.
if (!AnsiConsole.Profile.Capabilities.Interactive && Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 160;
}

var parse = DrillCommand.Create(AnsiConsole.Console).Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    return DrillRunner.CouldNotRun;
}

return await parse.InvokeAsync();
