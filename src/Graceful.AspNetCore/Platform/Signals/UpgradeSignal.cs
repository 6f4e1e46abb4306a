using System.Runtime.InteropServices;

namespace Graceful.AspNetCore.Platform.Signals;

/// <summary>The signals that may trigger an upgrade, by name; SIGUSR1/2 have no <see cref="PosixSignal"/> member, so their Linux numbers are used.</summary>
internal static class UpgradeSignal
{
    public const string Names = "SIGHUP, SIGUSR1 or SIGUSR2";

    public static bool TryParse(string name, out PosixSignal signal)
    {
        signal = name switch
        {
            "SIGHUP" => PosixSignal.SIGHUP,
            "SIGUSR1" => (PosixSignal)10,
            "SIGUSR2" => (PosixSignal)12,
            _ => 0,
        };
        return signal != 0;
    }
}
