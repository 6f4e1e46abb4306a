using System.Text;
using System.Threading.Channels;

namespace YarpBalancer;

/// <summary>
/// The proxy's request log, written on standard output by one background writer so that proxying never waits on the
/// pipe; flushed every 50 ms (the harness reads it while the proxy runs) and at exit.
/// </summary>
internal sealed class RequestLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public RequestLog(Stream output) => _writer = WriteAsync(output);

    public void Add(string line) => _lines.Writer.TryWrite(line);

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteAsync(Stream output)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
        while (await _lines.Reader.WaitToReadAsync())
        {
            while (_lines.Reader.TryRead(out var line))
            {
                await writer.WriteLineAsync(line);
            }

            await writer.FlushAsync();
            await Task.Delay(50);
        }
    }
}
