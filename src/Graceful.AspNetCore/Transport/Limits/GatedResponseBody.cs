using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Graceful.AspNetCore.Transport.Limits;

/// <summary>The handler's view of the response body: every write passes the <see cref="ResponseGate"/> first.</summary>
internal sealed class GatedResponseBody(IHttpResponseBodyFeature inner, ResponseGate gate) : IHttpResponseBodyFeature
{
    private GatedStream? _stream;
    private GatedPipeWriter? _writer;

    public Stream Stream => _stream ??= new GatedStream(inner.Stream, gate);

    public PipeWriter Writer => _writer ??= new GatedPipeWriter(inner.Writer, gate);

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        gate.EnsureHandlerMayWrite();
        return inner.StartAsync(cancellationToken);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        gate.EnsureHandlerMayWrite();
        return inner.SendFileAsync(path, offset, count, cancellationToken);
    }

    public Task CompleteAsync()
    {
        gate.EnsureHandlerMayWrite();
        return inner.CompleteAsync();
    }
}
