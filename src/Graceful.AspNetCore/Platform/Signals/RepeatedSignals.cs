namespace Graceful.AspNetCore.Platform.Signals;

/// <summary>How a shutdown signal relates to the ones before it.</summary>
internal enum SignalArrival
{
    /// <summary>The first: it asks for the shutdown.</summary>
    First,

    /// <summary>Within <see cref="RepeatedSignals.Window"/> of the first: the same request, sent by several senders.</summary>
    SameRequest,

    /// <summary>The first one after the window: an operator insisting.</summary>
    Repeat,

    /// <summary>Any later one, once the repeat has been acted on.</summary>
    AfterRepeat,
}

/// <summary>
/// Tells a burst from an operator insisting. One request to stop often arrives as several signals: a supervisor and
/// a shell wrapper both forwarding, <c>kill</c> on a process group, a container runtime and an init. Measured
/// (docs/design.md, bench/signal-burst.sh): a forwarding chain reaches the handler within 15 ms of the first signal,
/// also with both cores busy, and the handler adds no spread to what the senders produce. A window of 100 ms holds
/// such bursts with a wide margin and stays well under the fastest deliberate second Ctrl+C.
/// </summary>
internal sealed class RepeatedSignals(TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private long _first;
    private long _lastInWindow;
    private int _inWindow;
    private int _afterWindow;

    /// <summary>Signals that arrived within the window, the first included.</summary>
    public int InWindow
    {
        get
        {
            lock (_gate)
            {
                return _inWindow;
            }
        }
    }

    /// <summary>From the first signal to the last one within the window.</summary>
    public TimeSpan Spread
    {
        get
        {
            lock (_gate)
            {
                return _inWindow == 0 ? TimeSpan.Zero : time.GetElapsedTime(_first, _lastInWindow);
            }
        }
    }

    public SignalArrival Arrive(long timestamp)
    {
        lock (_gate)
        {
            if (_inWindow == 0)
            {
                _first = _lastInWindow = timestamp;
                _inWindow = 1;
                return SignalArrival.First;
            }

            if (time.GetElapsedTime(_first, timestamp) <= Window)
            {
                _inWindow++;
                _lastInWindow = Math.Max(_lastInWindow, timestamp);
                return SignalArrival.SameRequest;
            }

            return ++_afterWindow == 1 ? SignalArrival.Repeat : SignalArrival.AfterRepeat;
        }
    }
}
