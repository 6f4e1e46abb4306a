using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Graceful.TestSupport;

/// <summary>
/// A log event as a test names it: its category and event id, what the console shows as <c>Category[id]</c>.
/// <see cref="Of{TCategory}"/> finds the id from the <c>[LoggerMessage]</c> declaration by its event name, so tests
/// carry no numbers that could go stale.
/// </summary>
public sealed record EventKey(string Category, int Id)
{
    /// <summary>
    /// The event named <paramref name="eventName"/> (a <c>[LoggerMessage]</c>'s EventName in the assembly of
    /// <typeparamref name="TCategory"/>), logged under the category of <typeparamref name="TCategory"/>.
    /// </summary>
    public static EventKey Of<TCategory>(string eventName) => Of(typeof(TCategory), eventName);

    /// <summary>As <see cref="Of{TCategory}"/>, for a category a type argument cannot name (a static class).</summary>
    public static EventKey Of(Type category, string eventName)
    {
        var declared = category.Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .Where(a => a?.EventName == eventName)
            .Select(a => a!.EventId)
            .Distinct()
            .ToList();
        return declared.Count == 1
            ? new EventKey(category.FullName!, declared[0])
            : throw new ArgumentException($"{declared.Count} [LoggerMessage] declarations named {eventName} in {category.Assembly.GetName().Name}", nameof(eventName));
    }

    /// <summary>Whether <paramref name="line"/> is this event, as a JSON console line or a simple one's <c>Category[id]</c>.</summary>
    public bool IsOn(string line) =>
        LoggedEvent.Parse(line) is { } logged ? logged.Is(this) : line.Contains(ToString(), StringComparison.Ordinal);

    public override string ToString() => $"{Category}[{Id}]";
}
