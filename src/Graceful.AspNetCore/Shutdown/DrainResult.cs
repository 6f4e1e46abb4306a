namespace Graceful.AspNetCore;

/// <summary>What a drain did: whether every in-flight request finished, and what was cut if not.</summary>
/// <param name="Completed">True when every connection closed on its own before the deadline.</param>
/// <param name="Trigger">What started the shutdown: a signal name (<c>SIGTERM</c>) or the API that was called.</param>
/// <param name="Duration">From the trigger to the end of the drain (hooks not included).</param>
/// <param name="ConnectionsAtStart">Connections open when the listeners closed.</param>
/// <param name="RequestsAtStart">Requests in flight when the listeners closed.</param>
/// <param name="IdleConnectionsClosed">Connections that were idle at drain start and were closed at once.</param>
/// <param name="Cut">Requests still running at the deadline, whose connections were aborted.</param>
public sealed record DrainResult(
    bool Completed,
    string Trigger,
    TimeSpan Duration,
    int ConnectionsAtStart,
    int RequestsAtStart,
    int IdleConnectionsClosed,
    IReadOnlyList<CutRequest> Cut);

/// <summary>A request the drain deadline cut: its connection was aborted while the handler ran.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path.</param>
/// <param name="ConnectionId">Kestrel's connection id.</param>
/// <param name="Ran">How long the request had run when it was cut.</param>
public sealed record CutRequest(string Method, string Path, string ConnectionId, TimeSpan Ran);
