namespace Upgrade;

/// <summary>
/// One server to upgrade, given as <c>label=program arg ...</c>. The arguments may hold <c>{port}</c> and
/// <c>{pidfile}</c>, which each run fills in; a .dll runs with dotnet. Split on spaces: no quoting.
/// </summary>
internal sealed record AppCommand(string Label, string Program, IReadOnlyList<string> Arguments)
{
    public static AppCommand Parse(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"'{text}' is not label=command.");
        }

        var words = text[(equals + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw new ArgumentException($"'{text}' has no command.");
        }

        if (!words.Skip(1).Any(w => w.Contains("{pidfile}", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"'{text}' does not pass {{pidfile}}: the benchmark follows upgrades through the pid file.");
        }

        return new AppCommand(text[..equals], words[0], words[1..]);
    }

    public IReadOnlyList<string> ArgumentsFor(int port, string pidFile) =>
        [.. Arguments.Select(a => a.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{pidfile}", pidFile, StringComparison.Ordinal))];
}
