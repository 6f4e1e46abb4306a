using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Graceful.Tests.Shutdown;

/// <summary>
/// Connections the kernel completed but the server had not accepted when the drain closes its listener: in the accept
/// queue, or held half-open because the queue was full when the client's final ACK came (the client believes it is
/// connected and sends its request; the kernel completes the handshake at the client's next segment). Closing the
/// listener resets both, so a client that connected and sent a request would see it lost. Graceful first closes the
/// listener to new handshakes, then accepts what is queued and held.
/// </summary>
public sealed class AcceptQueueTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /ping HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");

    private enum Outcome { NotConnected, Answered, Lost }

    [Fact]
    public async Task ABurstOfConnectsBeyondTheBacklog_AtSigterm_EveryClientThatConnectedIsAnswered()
    {
        using var report = new ReportFile();
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string>(report.Environment)
        {
            // Kestrel's default backlog is 512; with 4, a burst of 300 overflows it as the drill's 640 overflow 512.
            ["Hostile__Backlog"] = "4",
        });
        var endpoint = new IPEndPoint(IPAddress.Loopback, service.BaseAddress.Port);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(Outcome.Answered, await ConnectAndRequestAsync(endpoint, () => { }));
        }

        // The signal goes as the first of the burst connects: the listener closes while the queue is full and the
        // kernel holds the handshakes that came after (their clients retransmit only 200 ms later).
        var firstConnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burst = Enumerable.Range(0, 300).Select(_ => Task.Run(() => ConnectAndRequestAsync(endpoint, () => firstConnected.TrySetResult()))).ToArray();
        await firstConnected.Task.WaitAsync(Generous);
        service.Signal(Signals.SIGTERM);

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        var outcomes = await Task.WhenAll(burst).WaitAsync(Generous);
        var lost = outcomes.Count(o => o == Outcome.Lost);
        Assert.True(lost == 0, $"{lost} of {outcomes.Count(o => o != Outcome.NotConnected)} connections that connected and sent a request got no response");
        Assert.Contains(Outcome.Answered, outcomes);
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
