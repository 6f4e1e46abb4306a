using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Graceful.AspNetCore.Platform.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram per state change to the Unix socket systemd names in
/// <c>NOTIFY_SOCKET</c> (a path, or an abstract name written with a leading <c>@</c>). Does nothing when the variable
/// is absent, i.e. when not started by systemd with <c>Type=notify</c>.
/// </summary>
internal sealed partial class SystemdNotifier : IDisposable
{
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly Socket? _socket;
    private readonly ILogger<SystemdNotifier> _logger;

    public SystemdNotifier(ILogger<SystemdNotifier> logger)
        : this(logger, Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))
    {
    }

    /// <summary>For tests, which own the socket: the environment is the process's, shared by tests running side by side.</summary>
    internal SystemdNotifier(ILogger<SystemdNotifier> logger, string? path)
    {
        _logger = logger;
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        _endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    private volatile bool _silenced;

    public bool IsEnabled => _socket is not null;

    /// <summary>Sends nothing more: after an upgrade's hand-over, systemd's main process is the successor.</summary>
    public void Silence() => _silenced = true;

    /// <summary>Sends <paramref name="state"/>, e.g. <c>READY=1</c> or <c>STATUS=Draining</c> (newline-separated pairs).</summary>
    public void Notify(string state)
    {
        if (_socket is null || _silenced)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _endpoint!);
        }
        catch (SocketException ex)
        {
            // systemd going away must not disturb the service or its shutdown.
            LogNotifyFailed(_logger, ex, state);
        }
    }

    private long _lastProgressAt = long.MinValue;

    /// <summary>
    /// Drain progress as connections close: at most one status every 250 ms, so closing thousands of connections
    /// does not flood systemd; the last one (nothing left) is always sent.
    /// </summary>
    public void NotifyDrainProgress(int connectionsLeft)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastProgressAt);
        if (connectionsLeft > 0 && (now - last < 250 || Interlocked.CompareExchange(ref _lastProgressAt, now, last) != last))
        {
            return;
        }

        Notify($"STATUS=Draining: {connectionsLeft} connections left");
    }

    public void Dispose() => _socket?.Dispose();

    [LoggerMessage(EventId = 60, EventName = "SystemdNotifyFailed", Level = LogLevel.Warning, Message = "Could not notify systemd of {State}")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string state);
}
