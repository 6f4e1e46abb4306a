using System.Globalization;

namespace YarpBalancer;

/// <summary>The command line: where to listen, which backends, and whether health checks decide the rotation.</summary>
internal sealed record ProxySettings(int Port, int AdminPort, IReadOnlyList<int> Backends, string? HealthPath, TimeSpan HealthInterval)
{
    public static ProxySettings Parse(string[] args)
    {
        string Value(string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : "";
        }

        int Number(string name, int fallback) =>
            Value(name) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture)
            : fallback >= 0 ? fallback : throw new ArgumentException($"{name} is required");

        return new ProxySettings(
            Number("--port", -1),
            Number("--admin-port", -1),
            [.. Value("--backends").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))],
            Value("--health-path") is { Length: > 0 } path ? path : null,
            TimeSpan.FromMilliseconds(Number("--health-interval-ms", 500)));
    }
}
