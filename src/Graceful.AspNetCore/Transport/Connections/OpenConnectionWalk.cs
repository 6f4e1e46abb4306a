using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Graceful.AspNetCore.Transport.Connections;

// AggressiveOptimization: methods a stop runs once per connection, thousands at once (docs/design.md, after the warm-up).
/// <summary>
/// A walk of <see cref="ConnectionTracker.OpenConnections"/> for <c>foreach</c>: the dictionary's own enumerator (no
/// lock, no snapshot), with this side of it compiled optimized ahead of the stop, where an iterator method's state
/// machine ran at tier 0 for the 10,000 steps of a walk.
/// </summary>
internal readonly struct OpenConnectionWalk(ConcurrentDictionary<TrackedConnection, object?> open)
{
    public Enumerator GetEnumerator() => new(open.GetEnumerator());

    public struct Enumerator(IEnumerator<KeyValuePair<TrackedConnection, object?>> entries)
    {
        public readonly TrackedConnection Current => entries.Current.Key;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly bool MoveNext() => entries.MoveNext();
    }
}
