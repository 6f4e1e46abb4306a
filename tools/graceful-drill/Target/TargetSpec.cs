namespace Graceful.Drill.Target;

/// <summary>
/// Which service to drill: a command line to start (its URL given, or read from Kestrel's <c>Now listening on:</c>
/// line), or a running process by pid and URL.
/// </summary>
public sealed record TargetSpec(IReadOnlyList<string> Command, Uri? Url, int? Pid, string ReadyPath, TimeSpan StartupTimeout)
{
    /// <summary>A short name for titles: the program (or the .dll run by dotnet), or the pid.</summary>
    public string Name => Pid is { } pid ? $"pid {pid}"
        : Path.GetFileNameWithoutExtension(Command.FirstOrDefault(c => c.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) ?? (Command.Count > 0 ? Command[0] : "service"));

    public string Describe() => Pid is { } pid ? $"pid {pid} at {Url}" : string.Join(' ', Command);

    public Task<ServiceTarget> OpenAsync(CancellationToken cancellationToken)
    {
        if (Pid is { } pid)
        {
            return Command.Count > 0 ? throw new DrillException("Give either a command to start or --pid to attach to, not both.")
                : Url is null ? throw new DrillException("--pid needs --url: where the running service listens.")
                : ServiceTarget.AttachAsync(pid, Url, ReadyPath, StartupTimeout, cancellationToken);
        }

        return Command.Count == 0
            ? throw new DrillException("Nothing to drill: give the service's command after --, or --pid and --url.")
            : ServiceTarget.StartAsync(Command, Url, ReadyPath, StartupTimeout, cancellationToken);
    }
}
