using System.IO.Pipelines;

namespace Graceful.AspNetCore.Transport.Limits;

/// <summary>The response <see cref="PipeWriter"/> seen by the handler: buffers are handed out only while the gate allows.</summary>
internal sealed class GatedPipeWriter(PipeWriter inner, ResponseGate gate) : PipeWriter
{
    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override void Advance(int bytes) => inner.Advance(bytes);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        gate.EnsureHandlerMayWrite();
        return inner.FlushAsync(cancellationToken);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        gate.EnsureHandlerMayWrite();
        return inner.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        gate.EnsureHandlerMayWrite();
        return inner.GetSpan(sizeHint);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        gate.EnsureHandlerMayWrite();
        return inner.WriteAsync(source, cancellationToken);
    }
}
