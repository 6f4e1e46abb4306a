namespace Graceful.Drill.Load;

/// <summary>Sends requests one at a time for one load worker, over HTTP/1.1 (<see cref="Http1Sender"/>) or HTTP/2 (<see cref="Http2Sender"/>).</summary>
public interface IRequestSender : IDisposable
{
    Task<SendResult> SendAsync(RequestSpec request, CancellationToken timeout);
}
