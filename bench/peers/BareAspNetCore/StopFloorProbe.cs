using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

/// <summary>
/// --stop-floor-probe: the least a stop can do for idle keep-alive connections within issue 17's limits, without
/// Graceful, to measure the floor under goal 2 (docs/benchmarks.md). Kestrel's own stop runs unchanged (its listeners
/// close, it asks every connection to close and waits for each one's end); when it then disposes a connection's
/// transport, the socket is instead closed in place (its descriptor pointed at /dev/null, so the close sends the FIN)
/// if nothing is left in either of its queues, and the transport's teardown is skipped. No tracking, no walk, no
/// held-handshake check, no report, no log lines: only what every stop within the limits must pay. Not a way to run
/// a service: the skipped transports are never released.
/// </summary>
internal static partial class StopFloorProbe
{
    /// <summary>The probe; with <paramref name="heldHandshakes"/>, its listeners wait for held handshakes before they close (HeldHandshakes).</summary>
    public static void Add(IServiceCollection services, bool heldHandshakes)
    {
        var bound = new BoundSockets();
        if (heldHandshakes)
        {
            services.PostConfigure<SocketTransportOptions>(options =>
            {
                var create = options.CreateBoundListenSocket;
                options.CreateBoundListenSocket = endpoint => bound.Last = create(endpoint);
            });
        }

        services.AddSingleton<IConnectionListenerFactory>(sp => new ProbeListenerFactory(
            new SocketTransportFactory(sp.GetRequiredService<IOptions<SocketTransportOptions>>(), sp.GetRequiredService<ILoggerFactory>()),
            heldHandshakes ? bound : null, sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
    }

    // The listening socket Kestrel's sockets transport created last: Kestrel binds its endpoints one after another.
    private sealed class BoundSockets
    {
        public Socket? Last { get; set; }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup3(int oldDescriptor, int newDescriptor, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int getsockopt(int socket, int level, int name, void* value, int* length);

    private static readonly SafeHandle DevNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);

    // SO_MEMINFO: [0] bytes received and not read, [5] bytes queued to send (not sent or not acknowledged).
    private static unsafe bool CloseInPlace(Socket socket)
    {
        var descriptor = (int)socket.SafeHandle.DangerousGetHandle();
        var queues = stackalloc uint[9];
        var length = 9 * sizeof(uint);
        if (getsockopt(descriptor, 1, 55, queues, &length) != 0 || queues[0] != 0 || queues[5] != 0)
        {
            return false;
        }

        return dup3((int)DevNull.DangerousGetHandle(), descriptor, 0x80000) >= 0;
    }

    private sealed class ProbeListenerFactory(IConnectionListenerFactory inner, BoundSockets? bound, CancellationToken stopping) : IConnectionListenerFactory
    {
        public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
            new ProbeListener(await inner.BindAsync(endpoint, cancellationToken), bound?.Last, stopping);
    }

    private sealed class ProbeListener(IConnectionListener inner, Socket? listening, CancellationToken stopping) : IConnectionListener
    {
        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) =>
            await inner.AcceptAsync(cancellationToken) is { } accepted ? new ProbeConnection(accepted, stopping) : null;

        public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            if (listening is not null)
            {
                await WaitForHeldHandshakesAsync(listening);
            }

            await inner.UnbindAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class ProbeConnection(ConnectionContext inner, CancellationToken stopping) : ConnectionContext
    {
        public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

        public override IFeatureCollection Features => inner.Features;

        public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

        public override IDuplexPipe Transport { get => inner.Transport; set => inner.Transport = value; }

        public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

        public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

        public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }

        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

        public override void Abort() => inner.Abort();

        public override ValueTask DisposeAsync() =>
            stopping.IsCancellationRequested && inner.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket && CloseInPlace(socket)
                ? base.DisposeAsync()
                : inner.DisposeAsync();
    }
}
