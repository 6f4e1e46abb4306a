namespace Graceful.AspNetCore.Configuration;

/// <summary>A duration passed to a log message, formatted as <see cref="GracefulDuration.Format"/> only if the message is written.</summary>
internal readonly record struct LoggedDuration(TimeSpan Value)
{
    public override string ToString() => GracefulDuration.Format(Value);
}
