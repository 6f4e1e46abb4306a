namespace Graceful.AspNetCore;

/// <summary>
/// In-place upgrades (section <c>Graceful:Upgrade</c>): on the trigger signal the process starts its successor,
/// hands it the listening sockets by inheritance, and drains once the successor is ready, so no connection is refused.
/// </summary>
public sealed class UpgradeOptions
{
    /// <summary>Whether the trigger signal (and <see cref="IGracefulShutdown.UpgradeAsync"/>) starts an upgrade. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The signal that starts an upgrade: <c>SIGHUP</c> (the default, as nginx and tableflip), <c>SIGUSR1</c> or <c>SIGUSR2</c>.
    /// </summary>
    public string Signal { get; set; } = "SIGHUP";

    /// <summary>
    /// The successor's command line, program first. Empty (the default): this process's own command line, so a new
    /// build deployed at the same path takes over.
    /// </summary>
    public IList<string> Command { get; } = [];

    /// <summary>How long the successor has to start serving; one that is not ready by then is killed and this process serves on.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
