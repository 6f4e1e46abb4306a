namespace Graceful.TestSupport;

/// <summary>
/// One raw HTTP/2 connection that keeps <c>inFlight</c> GET streams open, opening the next as each ends, and stops
/// opening at the first GOAWAY, as RFC 9113 §6.8 asks of a client. When the server closes the connection it sorts the
/// streams it opened: completed, unprocessed (above the final GOAWAY's last stream id, or refused: safe to retry) and
/// lost (within it, yet never completed).
/// </summary>
public sealed class Http2StreamPump
{
    private const uint RefusedStream = 0x7;
    private readonly HashSet<int> _open = [];
    private readonly TaskCompletionSource _warm = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _warmAfter;
    private int _nextStreamId = 1;
    private int _refused;

    private Http2StreamPump(int warmAfter) => _warmAfter = warmAfter;

    /// <summary>Streams that ended with a complete response.</summary>
    public int Completed { get; private set; }

    /// <summary>The last stream id of each GOAWAY, in order: two of them, the first 2^31-1, is the two-step form.</summary>
    public List<int> GoAways { get; } = [];

    public bool TwoStep => GoAways is [int.MaxValue, _, ..];

    /// <summary>Streams the server did not process: above the final GOAWAY's last stream id, or refused.</summary>
    public int Unprocessed { get; private set; }

    /// <summary>Streams the server said it would process (or, closing without a GOAWAY, may have), that never completed.</summary>
    public int Lost { get; private set; }

    /// <summary>What the stream counts rest on: each reset and each stream still open at the close.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Completes once <c>warmAfter</c> streams have completed: the load is steady.</summary>
    public Task Warm => _warm.Task;

    /// <summary>Runs until the server closes the connection (or <paramref name="cancellationToken"/> fires).</summary>
    public static Http2StreamPump Start(Uri baseAddress, string path, int inFlight, int warmAfter, CancellationToken cancellationToken, out Task run)
    {
        var pump = new Http2StreamPump(warmAfter);
        run = pump.RunAsync(baseAddress, path, inFlight, cancellationToken);
        return pump;
    }

    private async Task RunAsync(Uri baseAddress, string path, int inFlight, CancellationToken cancellationToken)
    {
        using var connection = await Http2RawConnection.ConnectAsync(baseAddress);
        for (var i = 0; i < inFlight; i++)
        {
            await OpenAsync(connection, path);
        }

        try
        {
            while (true)
            {
                var frame = await connection.ReadFrameAsync(cancellationToken);
                switch (frame.Type)
                {
                    case Http2Frame.GoAway:
                        GoAways.Add(frame.LastStreamId);
                        break;
                    case Http2Frame.RstStream when _open.Remove(frame.StreamId):
                        _refused += frame.ErrorCode == RefusedStream ? 1 : 0;
                        Lost += frame.ErrorCode == RefusedStream ? 0 : 1;
                        Notes.Add($"RST {frame.StreamId} code {frame.ErrorCode}");
                        break;
                    case Http2Frame.Data when frame.Payload.Length > 0:
                        await connection.SendWindowUpdateAsync(frame.Payload.Length);
                        break;
                }

                if (frame.IsEndStream && _open.Remove(frame.StreamId))
                {
                    if (++Completed == _warmAfter)
                    {
                        _warm.TrySetResult();
                    }

                    if (GoAways.Count == 0)
                    {
                        await OpenAsync(connection, path);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException)
        {
            // The server closed the connection: what is still open was either never processed or lost.
        }

        // Without a GOAWAY (a reset can discard it unread) the client cannot tell which streams ran: all are lost.
        var last = GoAways.Count > 0 ? GoAways[^1] : int.MaxValue;
        Unprocessed = _refused + _open.Count(id => id > last);
        Lost += _open.Count(id => id <= last);
        Notes.AddRange(_open.Order().Select(id => GoAways.Count > 0 ? $"open {id} at close, last {last}" : $"open {id} at close, no GOAWAY"));
        _warm.TrySetResult();
    }

    private Task OpenAsync(Http2RawConnection connection, string path)
    {
        var id = _nextStreamId;
        _nextStreamId += 2;
        _open.Add(id);
        return connection.SendGetAsync(id, path);
    }
}
