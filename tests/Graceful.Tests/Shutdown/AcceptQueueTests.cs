using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Graceful.AspNetCore.Transport.Listeners;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// Connections the kernel completed but the server had not accepted when the drain closes its listener: in the accept
/// queue, or held half-open because the queue was full when the client's final ACK came (the client believes it is
/// connected and sends its request; the kernel completes the handshake at the client's next segment, or when the
/// client answers the SYN-ACK it retransmits after a second). Closing the listener resets both, so a client that
/// connected and sent a request would see it lost. Graceful first closes the listener to new handshakes, then accepts
/// what is queued and held (Linux).
/// </summary>
public sealed class AcceptQueueTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /ping HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");

    // A burst the listen backlog (Kestrel's default, 512) holds whole, so no connect is refused or held by a full queue,
    // and an accept loop that takes a connection every 2 ms: when the signal comes, the queue holds most of the burst,
    // each connection with its request sent. Kestrel takes some 50 of them in 100 ms, all of them well within 2 s.
    private const int Burst = 200;
    private static readonly TimeSpan AcceptPause = TimeSpan.FromMilliseconds(2);

    private enum Outcome { NotConnected, Answered, Lost }

    [Fact]
    public async Task ABurstOfConnects_SigtermWhileTheyWaitInTheAcceptQueue_EveryOneIsAnswered()
    {
        using var report = new ReportFile();
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string>(report.Environment)
        {
            ["Hostile__SlowAccept"] = AcceptPause.ToString("c", CultureInfo.InvariantCulture),
        });
        var endpoint = new IPEndPoint(IPAddress.Loopback, service.BaseAddress.Port);
        Assert.Equal(Outcome.Answered, await ConnectAndRequestAsync(endpoint, () => { }));

        // The signal goes once the whole burst has connected (the kernel completes the handshakes at once).
        var connected = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burst = Enumerable.Range(0, Burst).Select(_ => Task.Run(() => ConnectAndRequestAsync(endpoint, () =>
        {
            if (Interlocked.Increment(ref connected) == Burst)
            {
                all.TrySetResult();
            }
        }))).ToArray();
        await all.Task.WaitAsync(Generous);
        service.Signal(Signals.SIGTERM);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        var outcomes = await Task.WhenAll(burst).WaitAsync(Generous);
        var lost = outcomes.Count(o => o == Outcome.Lost);
        Assert.True(lost == 0, $"{lost} of {outcomes.Count(o => o != Outcome.NotConnected)} connections that connected and sent a request got no response");
        Assert.Equal("SIGTERM", report.Read().Signal);
    }

    // A connect that fails (refused once the process is gone) never sent anything: not a loss.
    private static async Task<Outcome> ConnectAndRequestAsync(IPEndPoint endpoint, Action connected)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(Generous);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return Outcome.NotConnected;
        }

        connected();
        try
        {
            await socket.SendAsync(Request, SocketFlags.None, timeout.Token);
            var response = new byte[4096];
            var received = 0;
            while (received < response.Length && await socket.ReceiveAsync(response.AsMemory(received), SocketFlags.None, timeout.Token) is var read and > 0)
            {
                received += read;
            }

            return Encoding.ASCII.GetString(response, 0, received).StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? Outcome.Answered : Outcome.Lost;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return Outcome.Lost;
        }
    }
}
