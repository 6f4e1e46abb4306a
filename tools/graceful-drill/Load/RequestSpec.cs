using System.Globalization;
using System.Text;

namespace Graceful.Drill.Load;

/// <summary>
/// One kind of request of the mix and its share: <c>90 GET /ping</c>, <c>10% GET /slow</c>, <c>5 POST /echo {"a":1}</c>
/// (weight, method, path, then an optional body sent as <c>text/plain</c>).
/// </summary>
public sealed record RequestSpec(double Weight, string Method, string Path, string? Body)
{
    public static RequestSpec Parse(string text)
    {
        var parts = text.Trim().Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || !double.TryParse(parts[0].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || weight <= 0
            || !parts[2].StartsWith('/'))
        {
            throw new FormatException($"'{text}' is not a request: use 'WEIGHT METHOD /path [body]', e.g. '90 GET /ping' or '5 POST /echo hello'.");
        }

        return new RequestSpec(weight, parts[1].ToUpperInvariant(), parts[2], parts.Length == 4 ? parts[3] : null);
    }

    /// <summary>The request on the wire for HTTP/1.1; without keep-alive it asks the server to close after answering.</summary>
    public byte[] ToHttp1(string host, bool keepAlive)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Method} {Path} HTTP/1.1\r\nHost: {host}\r\n");
        if (!keepAlive)
        {
            text.Append("Connection: close\r\n");
        }

        var body = Body is null ? [] : Encoding.UTF8.GetBytes(Body);
        if (Body is not null || Method is "POST" or "PUT" or "PATCH")
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\n");
        }

        text.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(text.ToString()), .. body];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Weight:0.##} {Method} {Path}{(Body is null ? "" : " " + Body)}");
}
