using System.Globalization;
using Graceful.AspNetCore.Platform;

namespace Graceful.AspNetCore.Transport.ListenSockets;

/// <summary>
/// The successor's side of a hand-over: the listening sockets its predecessor passed (each under the key of the
/// endpoint it was bound for) and the private channel on which to report readiness. Read once from the environment
/// and removed from it, and every descriptor is marked close-on-exec, so no process this one starts inherits them.
/// </summary>
internal sealed class InheritedSockets
{
    public const string ListenersVariable = "GRACEFUL_UPGRADE_LISTENERS";
    public const string ReadyChannelVariable = "GRACEFUL_UPGRADE_READY_FD";

    /// <summary>The key of a socket Kestrel was given as a handle (socket activation) rather than an endpoint.</summary>
    public const string HandleKey = "handle";

    private readonly Lock _gate = new();
    private readonly List<(string Key, int Descriptor)> _unclaimed;

    private InheritedSockets(List<(string Key, int Descriptor)> listeners, int? readyChannel)
    {
        _unclaimed = listeners;
        ReadyChannel = readyChannel;
    }

    /// <summary>The descriptor of the readiness channel when this process was started as a successor.</summary>
    public int? ReadyChannel { get; }

    public bool IsSuccessor => ReadyChannel is not null;

    public static InheritedSockets TakeFromEnvironment()
    {
        var listeners = Parse(Environment.GetEnvironmentVariable(ListenersVariable));
        int? readyChannel = int.TryParse(Environment.GetEnvironmentVariable(ReadyChannelVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var fd)
            ? fd
            : null;
        Environment.SetEnvironmentVariable(ListenersVariable, null);
        Environment.SetEnvironmentVariable(ReadyChannelVariable, null);
        foreach (var descriptor in listeners.Select(l => l.Descriptor).Concat(readyChannel is { } r ? [r] : []))
        {
            _ = Libc.Fcntl(descriptor, Libc.SetDescriptorFlags, Libc.CloseOnExec);
        }

        return new InheritedSockets(listeners, readyChannel);
    }

    /// <summary>One <c>descriptor=key</c> per line.</summary>
    public static string Format(IEnumerable<(string Key, int Descriptor)> listeners) =>
        string.Join('\n', listeners.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Descriptor}={l.Key}")));

    private static List<(string Key, int Descriptor)> Parse(string? text)
    {
        var listeners = new List<(string, int)>();
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0 && int.TryParse(line.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var descriptor))
            {
                listeners.Add((line[(separator + 1)..], descriptor));
            }
        }

        return listeners;
    }

    /// <summary>Takes the inherited socket bound for <paramref name="key"/>, if the predecessor passed one.</summary>
    public bool TryClaim(string key, out int descriptor)
    {
        lock (_gate)
        {
            var index = _unclaimed.FindIndex(l => l.Key == key);
            descriptor = index < 0 ? -1 : _unclaimed[index].Descriptor;
            if (index >= 0)
            {
                _unclaimed.RemoveAt(index);
            }

            return index >= 0;
        }
    }

    /// <summary>Takes every socket the predecessor had been given as a handle, to be served the same way.</summary>
    public IReadOnlyList<int> ClaimHandles()
    {
        var handles = new List<int>();
        while (TryClaim(HandleKey, out var descriptor))
        {
            handles.Add(descriptor);
        }

        return handles;
    }

    /// <summary>Takes what no endpoint claimed (this version no longer listens there), for the caller to close.</summary>
    public IReadOnlyList<(string Key, int Descriptor)> TakeUnclaimed()
    {
        lock (_gate)
        {
            var rest = _unclaimed.ToList();
            _unclaimed.Clear();
            return rest;
        }
    }
}
