using System.Net.Sockets;
using System.Text;
using Graceful.AspNetCore.Platform.Systemd;
using Graceful.AspNetCore.Shutdown;
using Graceful.AspNetCore.Transport.Connections;
using Graceful.AspNetCore.Transport.Requests;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Graceful.Tests.Systemd;

/// <summary>
/// <c>EXTEND_TIMEOUT_USEC</c> on the drain's own clock: asked once per interval only after progress, for two intervals,
/// cut to what is left before the drain deadline, and never after it. The lines go to a notify socket the test owns.
/// </summary>
public sealed class StopTimeoutExtensionTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"graceful-extend-{Guid.NewGuid():N}.sock");
    private readonly Socket _systemd = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly FakeTimeProvider _time = new();
    private readonly ConnectionTracker _connections;
    private readonly SystemdNotifier _notifier;
    private readonly StopTimeoutExtension _extension;

    public StopTimeoutExtensionTests()
    {
        _systemd.Bind(new UnixDomainSocketEndPoint(_path));
        _connections = new ConnectionTracker(new ShutdownTokens(_time), _time);
        _notifier = new SystemdNotifier(NullLogger<SystemdNotifier>.Instance, _path);
        _extension = new StopTimeoutExtension(_notifier, _connections, _time, NullLogger<StopTimeoutExtension>.Instance);
    }

    public void Dispose()
    {
        _extension.Dispose();
        _notifier.Dispose();
        _systemd.Dispose();
        File.Delete(_path);
    }

    [Fact]
    public void ProgressEveryInterval_AsksForTwoIntervals_CutToTheDeadline_AndNothingPastIt()
    {
        var requests = StartRequests(4);
        _extension.Start(Interval, budget: TimeSpan.FromSeconds(3.5));

        Complete(requests[0]);
        _time.Advance(Interval);
        Assert.Equal(["EXTEND_TIMEOUT_USEC=2000000"], Received());

        Complete(requests[1]);
        _time.Advance(Interval);
        Assert.Equal(["EXTEND_TIMEOUT_USEC=1500000"], Received()); // 1.5 s left before the deadline

        Complete(requests[2]);
        _time.Advance(Interval);
        Assert.Equal(["EXTEND_TIMEOUT_USEC=500000"], Received());

        Complete(requests[3]);
        _time.Advance(Interval);
        Assert.Empty(Received()); // past the deadline
    }

    [Fact]
    public async Task NoProgress_AsksNothing_UntilARequestCompletes_OrAConnectionCloses()
    {
        var requests = StartRequests(1);
        var idle = _connections.Track(new DefaultConnectionContext("idle"));
        _extension.Start(Interval, budget: Timeout.InfiniteTimeSpan);

        _time.Advance(Interval * 3);
        Assert.Empty(Received());

        Complete(requests[0]);
        _time.Advance(Interval);
        Assert.Equal(["EXTEND_TIMEOUT_USEC=2000000"], Received());

        _time.Advance(Interval);
        Assert.Empty(Received());

        await idle.DisposeAsync();
        _time.Advance(Interval);
        Assert.Equal(["EXTEND_TIMEOUT_USEC=2000000"], Received());
    }

    [Fact]
    public void Stopped_AsksNothingMore()
    {
        var requests = StartRequests(1);
        _extension.Start(Interval, budget: Timeout.InfiniteTimeSpan);

        _extension.Stop();
        Complete(requests[0]);
        _time.Advance(Interval * 2);

        Assert.Empty(Received());
    }

    private List<(TrackedConnection Connection, HttpContext Context, InFlightRequest? Record)> StartRequests(int count)
    {
        var requests = new List<(TrackedConnection, HttpContext, InFlightRequest?)>();
        for (var i = 0; i < count; i++)
        {
            var connection = (TrackedConnection)_connections.Track(new DefaultConnectionContext($"c{i}"));
            var context = new DefaultHttpContext();
            context.Request.Method = "GET";
            context.Request.Path = "/slow";
            context.Request.Protocol = "HTTP/1.1";
            Assert.True(connection.RequestStarted(context, _time.GetTimestamp(), out var record));
            requests.Add((connection, context, record));
        }

        return requests;
    }

    // As the request tracking ends a request.
    private void Complete((TrackedConnection Connection, HttpContext Context, InFlightRequest? Record) started) =>
        started.Connection.RequestEnded(started.Context, started.Record, _time.GetTimestamp());

    private List<string> Received()
    {
        var messages = new List<string>();
        var buffer = new byte[256];
        while (_systemd.Available > 0)
        {
            messages.Add(Encoding.UTF8.GetString(buffer, 0, _systemd.Receive(buffer)));
        }

        return messages;
    }
}
