using Microsoft.AspNetCore.Http;

namespace Graceful.AspNetCore.Transport.Limits;

/// <summary>The request body as the handler reads it: past the read deadline a read fails with 408.</summary>
internal sealed class DeadlineRequestBody(Stream inner, CancellationToken deadline) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (deadline.IsCancellationRequested)
        {
            throw TimedOut();
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline);
        try
        {
            return await inner.ReadAsync(buffer, linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        deadline.IsCancellationRequested ? throw TimedOut() : inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // Kestrel answers an unhandled BadHttpRequestException with its status code.
    private static BadHttpRequestException TimedOut() =>
        new("Reading the request body took longer than Graceful:Limits:ReadTimeout.", StatusCodes.Status408RequestTimeout);
}
