namespace Graceful.AspNetCore.Platform.Signals;

/// <summary>
/// A shutdown signal that arrived while the host was starting. Cancelling the start (what <c>ConsoleLifetime</c>
/// does, through <c>StopApplication</c>) makes Kestrel's bind throw out of <c>app.Run()</c> and leaves the hosted
/// services that had started running; so the signal is only recorded, start-up completes, and the normal stop
/// follows, which stops every hosted service that started. Meanwhile no connection is served.
/// </summary>
internal sealed class StartupSignal
{
    private readonly Lock _gate = new();
    private bool _serving;
    private string? _signal;

    /// <summary>True once a signal arrived during start-up: connections accepted from now on are closed unserved.</summary>
    public bool StoppingBeforeServing => Volatile.Read(ref _signal) is not null;

    /// <summary>True once start-up is over.</summary>
    public bool IsServing
    {
        get
        {
            lock (_gate)
            {
                return _serving;
            }
        }
    }

    /// <summary>Records the signal if the host has not finished starting; false once it serves.</summary>
    public bool TryRecord(string signal)
    {
        lock (_gate)
        {
            if (_serving)
            {
                return false;
            }

            _signal ??= signal;
            return true;
        }
    }

    /// <summary>
    /// Start-up is over (or, for an upgrade's successor, about to be reported ready); returns the signal that arrived
    /// during it, if any. A signal from now on starts a normal shutdown.
    /// </summary>
    public string? MarkServing()
    {
        lock (_gate)
        {
            _serving = true;
            return _signal;
        }
    }
}
