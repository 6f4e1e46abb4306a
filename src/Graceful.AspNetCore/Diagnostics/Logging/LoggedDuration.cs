namespace Graceful.AspNetCore.Diagnostics.Logging;

/// <summary>
/// A duration passed to a log message, formatted as <see cref="GracefulDuration.Format"/> only if the message is
/// written. A class, not a struct: log methods whose parameters are reference types share one compiled instantiation
/// of the logging generics, which keeps first-call JIT off the exit path (see ShutdownCoordinator.Log.cs).
/// </summary>
internal sealed record LoggedDuration(TimeSpan Value)
{
    public static LoggedDuration Zero { get; } = new(TimeSpan.Zero);

    public override string ToString() => GracefulDuration.Format(Value);
}
