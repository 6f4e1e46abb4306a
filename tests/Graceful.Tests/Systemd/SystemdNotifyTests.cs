using System.Net.Sockets;
using System.Text;

namespace Graceful.Tests.Systemd;

/// <summary>systemd's Type=notify protocol, with the test in systemd's place on a NOTIFY_SOCKET.</summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"graceful-notify-{Guid.NewGuid():N}.sock");
    private readonly Socket _systemd = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SystemdNotifyTests() => _systemd.Bind(new UnixDomainSocketEndPoint(_path));

    public void Dispose()
    {
        _systemd.Dispose();
        File.Delete(_path);
    }

    [Fact]
    public async Task NotifySocket_GetsReadyOnceListening_ThenStoppingAndDrainStatus_ThenStopped()
    {
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _path });

        var ready = await ReceiveAsync();
        Assert.Contains("READY=1", ready, StringComparison.Ordinal);
        Assert.Contains($"MAINPID={service.Pid}", ready, StringComparison.Ordinal);
        // Kept open across the signal: its keep-alive connection is what the drain reports progress on.
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        Assert.Equal("pong", await client.GetStringAsync("/ping"));

        service.Signal(Signals.SIGTERM);
        var messages = new List<string>();
        do
        {
            messages.Add(await ReceiveAsync());
        }
        while (!messages[^1].StartsWith("STATUS=Stopped", StringComparison.Ordinal));

        Assert.Equal(0, await service.WaitForExitAsync(Generous));
        Assert.StartsWith("STOPPING=1\nSTATUS=SIGTERM received: draining 0 requests", messages[0], StringComparison.Ordinal);
        Assert.Contains(messages, m => m.StartsWith("STATUS=Draining: waiting for", StringComparison.Ordinal));
        // The kept keep-alive connection closing is the drain's progress, down to nothing left.
        Assert.Contains(messages, m => m == "STATUS=Draining: 0 connections left");
        Assert.Contains(messages, m => m == "STATUS=Running shutdown hooks");
        Assert.Contains("0 aborted", messages[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upgrade_HandsMainPidToTheSuccessor_AndTheOldProcessNeverSaysStopping()
    {
        using var chain = new Upgrades.UpgradedProcesses();
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", "http://127.0.0.1:0", "--pid-file", chain.PidFile],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _path });
        Assert.Contains($"MAINPID={service.Pid}", await ReceiveAsync(), StringComparison.Ordinal);

        var (_, successor) = await chain.UpgradeAsync();
        var messages = new List<string>();
        while (_systemd.Available > 0)
        {
            messages.Add(await ReceiveAsync());
        }

        // systemd sees a reload (RELOADING=1 ... READY=1), and from the hand-over on follows the successor.
        Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=", messages[0], StringComparison.Ordinal);
        Assert.Equal($"MAINPID={successor}\nREADY=1\nSTATUS=Handed over to pid {successor}", messages[^1]);
        Assert.DoesNotContain(messages, m => m.Contains("STOPPING=1", StringComparison.Ordinal));

        // The successor, now the main process, reports its own stop.
        Signals.Send(successor, Signals.SIGTERM);
        Assert.StartsWith("STOPPING=1", await ReceiveAsync(), StringComparison.Ordinal);
    }

    private async Task<string> ReceiveAsync()
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Generous);
        var received = await _systemd.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received);
    }
}
