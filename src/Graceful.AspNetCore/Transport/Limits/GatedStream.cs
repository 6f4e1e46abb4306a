namespace Graceful.AspNetCore.Transport.Limits;

/// <summary>A write-only response stream that asks the <see cref="ResponseGate"/> before each write or flush.</summary>
internal sealed class GatedStream(Stream inner, ResponseGate gate) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
        gate.EnsureHandlerMayWrite();
        inner.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        gate.EnsureHandlerMayWrite();
        return inner.FlushAsync(cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        gate.EnsureHandlerMayWrite();
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        gate.EnsureHandlerMayWrite();
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        gate.EnsureHandlerMayWrite();
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
