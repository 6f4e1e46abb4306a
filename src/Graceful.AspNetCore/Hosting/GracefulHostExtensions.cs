using Graceful.AspNetCore;
using Graceful.AspNetCore.Diagnostics.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Running an application so that its exit code tells what happened.</summary>
public static class GracefulHostExtensions
{
    /// <summary>The exit code when the application could not start (port in use, invalid options).</summary>
    public const int StartupFailedExitCode = 2;

    /// <summary>
    /// Runs the host until it has shut down and returns the exit code: 0 after a clean drain,
    /// <see cref="GracefulOptions.DeadlineExitCode"/> when the drain deadline cut requests, and
    /// <see cref="StartupFailedExitCode"/> when it could not start, after writing the reason as one line to
    /// standard error (a port in use, an invalid option named by its key) instead of an unhandled-exception dump.
    /// </summary>
    public static async Task<int> RunGracefullyAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            var startFailure = host.Services.GetService<StartFailureReport>();
            startFailure?.BeginStart();
            try
            {
                // Validate first, so a bad option is reported in one line rather than in the host's start-failure dump.
                host.Services.GetService<IStartupValidator>()?.Validate();
                await host.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"{AppDomain.CurrentDomain.FriendlyName}: cannot start: {OneLine(ex)}");
                return StartupFailedExitCode;
            }
            finally
            {
                startFailure?.EndStart();
            }

            await host.WaitForShutdownAsync(cancellationToken);
            return Environment.ExitCode;
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }

    private static string OneLine(Exception ex) => ex.Message.ReplaceLineEndings(" ");
}
