namespace Graceful.Drill.Recording;

/// <summary>
/// During one instance's restart (from its SIGTERM until it was back in rotation), the new connections the balancer
/// opened to the instances left serving: in all, the most within any one second (the peak rate, per second), and the
/// most within any 100 ms. A stop that closes every keep-alive connection at once sends all their clients there in the
/// same instant; <c>Graceful:CloseSpread</c> spreads them.
/// </summary>
public sealed record RestartConnections(string Server, long Total, long PeakPerSecond, long PeakIn100Ms);
