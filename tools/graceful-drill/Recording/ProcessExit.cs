namespace Graceful.Drill.Recording;

/// <summary>A service process that exited during the drill: when (ms on the drill's clock) and, where the drill can know it, with what code.</summary>
public sealed record ProcessExit(int Pid, string Role, double? At, int? ExitCode);
