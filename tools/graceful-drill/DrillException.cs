namespace Graceful.Drill;

/// <summary>The drill cannot run as asked (the service does not answer, an option is inconsistent): exit code 2, one line.</summary>
public sealed class DrillException(string message) : Exception(message);
