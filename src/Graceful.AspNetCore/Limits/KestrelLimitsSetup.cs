using Graceful.AspNetCore.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Limits;

/// <summary>Maps the Go-style limits that Kestrel enforces itself onto <see cref="KestrelServerLimits"/>.</summary>
internal sealed class KestrelLimitsSetup(IOptions<GracefulOptions> options) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        if (!options.TryGetValid(out var graceful))
        {
            return;
        }

        var limits = graceful.Limits;
        kestrel.Limits.RequestHeadersTimeout = AsKestrelTimeout(limits.ReadHeaderTimeout);
        kestrel.Limits.KeepAliveTimeout = AsKestrelTimeout(limits.IdleTimeout);
        kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxHeaderBytes;
        kestrel.Limits.MaxRequestLineSize = limits.MaxHeaderBytes;
        // Kestrel requires its request buffer to hold the whole request line and headers.
        if (kestrel.Limits.MaxRequestBufferSize is { } buffer && buffer < limits.MaxHeaderBytes)
        {
            kestrel.Limits.MaxRequestBufferSize = limits.MaxHeaderBytes;
        }
    }

    // Kestrel takes TimeSpan.MaxValue, not Timeout.InfiniteTimeSpan, for "no limit".
    private static TimeSpan AsKestrelTimeout(TimeSpan value) => value == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : value;
}
