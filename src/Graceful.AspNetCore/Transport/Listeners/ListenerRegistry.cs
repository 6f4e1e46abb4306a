namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>The listeners Kestrel bound through Graceful, so the drain can stop accepting on all of them.</summary>
internal sealed class ListenerRegistry
{
    private readonly List<DrainableListener> _listeners = [];

    public void Add(DrainableListener listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    /// <summary>Closes every listening socket and returns their endpoints; connections already accepted are not touched.</summary>
    public async Task<IReadOnlyList<string>> UnbindAllAsync()
    {
        DrainableListener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        await Task.WhenAll(listeners.Select(l => l.UnbindAsync().AsTask()));
        return [.. listeners.Select(l => l.EndPoint.ToString() ?? "?")];
    }
}
