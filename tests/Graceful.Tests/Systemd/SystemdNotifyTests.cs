using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Graceful.AspNetCore;
using static Graceful.Tests.GracefulEvents;

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

    [Fact]
    public async Task DrainMakingProgress_AsksSystemdToExtendTheStopTimeout_WhileDraining()
    {
        var interval = TimeSpan.FromMilliseconds(500);
        await using var service = await SlowService.StartProcessAsync(
            ["--urls", "http://127.0.0.1:0", "--slow", "2s", "--shutdown-timeout", "2500ms"],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _path, ["Graceful__SystemdExtendInterval"] = "500ms" });
        await ReceiveAsync(); // READY=1

        // Five requests 400 ms apart: after the signal one completes about every 400 ms, until past the deadline.
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Generous };
        var requests = new List<Task<HttpResponseMessage>>();
        for (var started = 1; started <= 5; started++)
        {
            requests.Add(client.GetAsync("/slow"));
            await service.WaitForLineAsync(_ => service.Events(SlowService.HandlerStarted).Count >= started, Generous);
            await Task.Delay(started < 5 ? 400 : 0);
        }

        service.Signal(Signals.SIGTERM);
        var messages = await ReceiveUntilAsync("STATUS=Stopped");
        await service.WaitForExitAsync(Generous);
        await Task.WhenAll(requests.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));

        var extensions = messages.Where(m => m.Text.StartsWith("EXTEND_TIMEOUT_USEC=", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(extensions);
        // Only while draining: after STOPPING=1, before the hooks.
        var stopping = messages.FindIndex(m => m.Text.StartsWith("STOPPING=1", StringComparison.Ordinal));
        var hooks = messages.FindIndex(m => m.Text == "STATUS=Running shutdown hooks");
        Assert.All(extensions, e => Assert.InRange(messages.IndexOf(e), stopping + 1, hooks - 1));
        // Two intervals at most (the cut at the deadline is StopTimeoutExtensionTests', on the drain's own clock).
        Assert.All(extensions, e => Assert.InRange(
            long.Parse(e.Text["EXTEND_TIMEOUT_USEC=".Length..], CultureInfo.InvariantCulture), 1, (long)(2 * interval).TotalMicroseconds));

        Assert.NotEmpty(service.Events(StopTimeoutExtended));
    }

    [Fact]
    public async Task StuckDrain_NeverAsksSystemdForMoreTime()
    {
        await using var service = await SlowService.StartProcessAsync(
            ["--urls", "http://127.0.0.1:0", "--slow", "60s", "--shutdown-timeout", "1500ms"],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _path, ["Graceful__SystemdExtendInterval"] = "200ms" });
        await ReceiveAsync(); // READY=1
        using var stuck = await service.StartSlowRequestAsync();

        service.Signal(Signals.SIGTERM);
        var messages = await ReceiveUntilAsync("STATUS=Stopped");

        Assert.Equal(new GracefulOptions().DeadlineExitCode, await service.WaitForExitAsync(Generous));
        Assert.DoesNotContain(messages, m => m.Text.StartsWith("EXTEND_TIMEOUT_USEC=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upgrade_SaysReloadingWithTheMonotonicClockNow_ThenReadyOnceHandedOver()
    {
        using var chain = new Upgrades.UpgradedProcesses();
        await using var service = await ServiceProcess.StartAsync(SlowService.Dll, ["--urls", "http://127.0.0.1:0", "--pid-file", chain.PidFile],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _path });
        await ReceiveAsync(); // READY=1

        var before = Stopwatch.GetTimestamp();
        var (_, successor) = await chain.UpgradeAsync();
        var reloading = await ReceiveMessageAsync();
        var messages = await ReceiveUntilAsync("MAINPID=");

        // systemd's notify-reload (253+) compares MONOTONIC_USEC with CLOCK_MONOTONIC when the reload was asked for: it
        // must be the time of sending, in microseconds of the same clock (Stopwatch is CLOCK_MONOTONIC on Linux).
        var lines = reloading.Text.Split('\n');
        Assert.Equal("RELOADING=1", lines[0]);
        var monotonic = long.Parse(Assert.Single(lines, l => l.StartsWith("MONOTONIC_USEC=", StringComparison.Ordinal))["MONOTONIC_USEC=".Length..], CultureInfo.InvariantCulture);
        Assert.InRange(monotonic, ToMicroseconds(before), ToMicroseconds(reloading.ReceivedAt));
        Assert.Equal($"MAINPID={successor}\nREADY=1\nSTATUS=Handed over to pid {successor}", messages[^1].Text);
        Signals.Send(successor, Signals.SIGTERM);
    }

    private static long ToMicroseconds(long timestamp) => (long)(timestamp * (1_000_000.0 / Stopwatch.Frequency));

    private async Task<List<(string Text, long ReceivedAt)>> ReceiveUntilAsync(string prefix)
    {
        var messages = new List<(string Text, long ReceivedAt)>();
        do
        {
            messages.Add(await ReceiveMessageAsync());
        }
        while (!messages[^1].Text.StartsWith(prefix, StringComparison.Ordinal));

        return messages;
    }

    private async Task<(string Text, long ReceivedAt)> ReceiveMessageAsync()
    {
        var text = await ReceiveAsync();
        return (text, Stopwatch.GetTimestamp());
    }

    private async Task<string> ReceiveAsync()
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Generous);
        var received = await _systemd.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received);
    }
}
