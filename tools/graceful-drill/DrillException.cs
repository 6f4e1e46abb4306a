namespace Graceful.Drill;

/// <summary>
/// The drill cannot run as asked (the service does not answer, an option is inconsistent): exit code 2, one line on
/// standard error. <see cref="Detail"/>, when there is more to see (the service's output), goes to standard output first.
/// </summary>
public sealed class DrillException(string message, string? detail = null) : Exception(message)
{
    public string? Detail { get; } = detail;
}
