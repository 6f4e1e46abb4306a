using System.Net;
using System.Net.Http;
using System.Net.WebSockets;

/// <summary>
/// Long-lived streams this process holds open to the server under test while it is signalled, opened in batches (a
/// burst of 10,000 connects would overflow the listen backlog). Each kind records how its streams ended.
/// </summary>
internal abstract class HeldStreams : IAsyncDisposable
{
    private const int Batch = 200;
    private int _clean;
    private int _cut;

    /// <summary>Streams whose end was the orderly one: a 1001 close answered, an SSE stream's last chunk.</summary>
    public int Clean => Volatile.Read(ref _clean);

    /// <summary>Streams that ended any other way (reset, EOF without the end, another close status).</summary>
    public int Cut => Volatile.Read(ref _cut);

    public static async Task<HeldStreams> OpenAsync(string kind, Uri server, int count)
    {
        HeldStreams held = kind switch
        {
            "websockets" => new AnsweringWebSockets(server),
            "sse" => new EventStreams(server),
            _ => throw new ArgumentException($"Unknown connection kind {kind}: use websockets or sse."),
        };
        for (var i = 0; i < count; i += Batch)
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(Batch, count - i)).Select(_ => held.OpenOneAsync()));
        }

        return held;
    }

    /// <summary>Completes when every stream has ended.</summary>
    public abstract Task AllEnded { get; }

    /// <summary>Opens one stream and starts watching it; returns once the server's handler is serving it.</summary>
    protected abstract Task OpenOneAsync();

    /// <summary>
    /// The clients end their streams themselves (a WebSocket close from the client, an SSE reader that goes away), as
    /// they do many times in a server that has served a while; returns once every stream has ended on this side.
    /// </summary>
    public abstract Task LeaveAsync();

    protected void Ended(bool clean) => Interlocked.Increment(ref clean ? ref _clean : ref _cut);

    public abstract ValueTask DisposeAsync();

    /// <summary>WebSockets on /ws that answer the server's close at once, as a browser does. Clean: a 1001 close.</summary>
    private sealed class AnsweringWebSockets(Uri server) : HeldStreams
    {
        private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler());
        private readonly List<Task> _watching = [];
        private readonly List<ClientWebSocket> _sockets = [];
        private readonly Uri _uri = new($"ws://{server.Authority}/ws");

        public override Task AllEnded => Task.WhenAll(_watching);

        protected override async Task OpenOneAsync()
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await socket.ConnectAsync(_uri, _invoker, CancellationToken.None);
            // One echo: the server's handler is in its receive loop, watching for the drain.
            await socket.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[64];
            await socket.ReceiveAsync(buffer, CancellationToken.None);
            lock (_watching)
            {
                _sockets.Add(socket);
                _watching.Add(WatchAsync(socket, buffer));
            }
        }

        private async Task WatchAsync(ClientWebSocket socket, byte[] buffer)
        {
            using (socket)
            {
                try
                {
                    var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (received.MessageType != WebSocketMessageType.Close)
                    {
                        Ended(clean: false);
                        return;
                    }

                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    Ended(clean: socket.CloseStatus == WebSocketCloseStatus.EndpointUnavailable);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
                {
                    Ended(clean: false);
                }
            }
        }

        // The client closes first; its pending receive gets the server's answer.
        public override async Task LeaveAsync()
        {
            await Task.WhenAll(_sockets.Select(s => s.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)));
            await AllEnded;
        }

        public override async ValueTask DisposeAsync()
        {
            await Task.WhenAny(AllEnded, Task.Delay(TimeSpan.FromSeconds(10)));
            _invoker.Dispose();
        }
    }

    /// <summary>Server-sent-event streams on /events, read to their end by HttpClient. Clean: the chunked body's end.</summary>
    private sealed class EventStreams(Uri server) : HeldStreams
    {
        // The pool keeps each connection once its stream has ended, as any keep-alive client does.
        private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = server,
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
        };

        private readonly List<Task> _watching = [];
        private readonly List<HttpResponseMessage> _responses = [];

        public override Task AllEnded => Task.WhenAll(_watching);

        protected override async Task OpenOneAsync()
        {
            var response = await _client.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);
            var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1024];
            // The first event: the handler is running.
            _ = await body.ReadAsync(buffer);
            lock (_watching)
            {
                _responses.Add(response);
                _watching.Add(WatchAsync(response, body, buffer));
            }
        }

        private async Task WatchAsync(HttpResponseMessage response, Stream body, byte[] buffer)
        {
            using (response)
            {
                try
                {
                    while (await body.ReadAsync(buffer) > 0)
                    {
                    }

                    Ended(clean: true);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException or ObjectDisposedException)
                {
                    Ended(clean: false);
                }
            }
        }

        // The reader goes away mid-stream: its connection is closed under the server's response.
        public override async Task LeaveAsync()
        {
            _responses.ForEach(r => r.Dispose());
            await AllEnded;
        }

        public override async ValueTask DisposeAsync()
        {
            await Task.WhenAny(AllEnded, Task.Delay(TimeSpan.FromSeconds(10)));
            _client.Dispose();
        }
    }
}
