using Graceful.AspNetCore.Platform.Signals;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Configuration;

/// <summary>Rejects values Graceful cannot honour, naming each option by its configuration key.</summary>
internal sealed class GracefulOptionsValidator : IValidateOptions<GracefulOptions>
{
    private const string Section = GracefulOptions.SectionName;
    private const string LimitsSection = Section + ":" + nameof(GracefulOptions.Limits);
    private const string UpgradeSection = Section + ":" + nameof(GracefulOptions.Upgrade);

    public ValidateOptionsResult Validate(string? name, GracefulOptions options)
    {
        var errors = new List<string>();
        RequirePositiveOrInfinite(errors, Section, nameof(options.DrainTimeout), options.DrainTimeout);
        RequirePositiveOrInfinite(errors, Section, nameof(options.HookTimeout), options.HookTimeout);
        RequirePositiveOrInfinite(errors, Section, nameof(options.SoftDrainTimeout), options.SoftDrainTimeout);
        if (options.DrainTimeout != Timeout.InfiniteTimeSpan && options.SoftDrainTimeout != Timeout.InfiniteTimeSpan
            && options.SoftDrainTimeout > options.DrainTimeout)
        {
            errors.Add($"{Section}:{nameof(options.SoftDrainTimeout)} ({options.SoftDrainTimeout}) must not be later than {Section}:{nameof(options.DrainTimeout)} ({options.DrainTimeout}).");
        }

        if (options.RejectDuringDrainRetryAfter is { } retryAfter && (retryAfter < TimeSpan.Zero || retryAfter == Timeout.InfiniteTimeSpan))
        {
            errors.Add($"{Section}:{nameof(options.RejectDuringDrainRetryAfter)} must be zero or a positive duration (was {retryAfter}).");
        }

        if (options.PreStopDelay < TimeSpan.Zero || options.PreStopDelay > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{Section}:{nameof(options.PreStopDelay)} must be from 0 to 10 minutes (was {options.PreStopDelay}).");
        }

        ValidateAdaptivePreStop(errors, options);

        if (options.IdleGrace < TimeSpan.Zero || options.IdleGrace > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{Section}:{nameof(options.IdleGrace)} must be from 0 to 10 minutes (was {options.IdleGrace}); infinite would keep idle connections for ever.");
        }
        if (options.DrainReadHeaderTimeout <= TimeSpan.Zero || options.DrainReadHeaderTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{Section}:{nameof(options.DrainReadHeaderTimeout)} must be a positive duration up to 10 minutes (was {options.DrainReadHeaderTimeout}): a connection that never completes a request must not hold the exit for ever.");
        }

        if (options.DeadlineExitCode is < 1 or > 255)
        {
            errors.Add($"{Section}:{nameof(options.DeadlineExitCode)} must be 1 to 255 (was {options.DeadlineExitCode}): a cut drain must not look clean.");
        }

        RequireExistingFolder(errors, nameof(options.ReportPath), options.ReportPath);
        RequireExistingFolder(errors, nameof(options.PidFile), options.PidFile);
        ValidateUpgrade(errors, options.Upgrade);

        var limits = options.Limits;
        RequirePositiveOrInfinite(errors, LimitsSection, nameof(limits.ReadHeaderTimeout), limits.ReadHeaderTimeout);
        RequirePositiveOrInfinite(errors, LimitsSection, nameof(limits.ReadTimeout), limits.ReadTimeout);
        RequirePositiveOrInfinite(errors, LimitsSection, nameof(limits.WriteTimeout), limits.WriteTimeout);
        RequirePositiveOrInfinite(errors, LimitsSection, nameof(limits.IdleTimeout), limits.IdleTimeout);
        if (limits.MaxHeaderBytes < 1024)
        {
            errors.Add($"{LimitsSection}:{nameof(limits.MaxHeaderBytes)} must be at least 1024 (was {limits.MaxHeaderBytes}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateUpgrade(List<string> errors, UpgradeOptions upgrade)
    {
        if (!UpgradeSignal.TryParse(upgrade.Signal, out _))
        {
            errors.Add($"{UpgradeSection}:{nameof(upgrade.Signal)} must be {UpgradeSignal.Names} (was '{upgrade.Signal}').");
        }

        if (upgrade.ReadyTimeout <= TimeSpan.Zero || upgrade.ReadyTimeout == Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{UpgradeSection}:{nameof(upgrade.ReadyTimeout)} must be a positive duration (was {upgrade.ReadyTimeout}): a successor that never becomes ready must not block upgrades for ever.");
        }

        if (upgrade.Enabled && !OperatingSystem.IsLinux())
        {
            errors.Add($"{UpgradeSection}:{nameof(upgrade.Enabled)}: in-place upgrades need Linux (listener inheritance with posix_spawn and Unix socket pairs).");
        }
    }

    private static void RequireExistingFolder(List<string> errors, string key, string? path)
    {
        if (path is not null && Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
        {
            errors.Add($"{Section}:{key}: the folder '{folder}' does not exist.");
        }
    }

    private static void ValidateAdaptivePreStop(List<string> errors, GracefulOptions options)
    {
        if (options.PreStopQuietPeriod is not { } quiet)
        {
            return;
        }

        if (quiet <= TimeSpan.Zero || quiet == Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{Section}:{nameof(options.PreStopQuietPeriod)} must be a positive duration (was {GracefulDuration.Format(quiet)}).");
        }

        if (options.PreStopMaxDelay <= TimeSpan.Zero || options.PreStopMaxDelay == Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{Section}:{nameof(options.PreStopMaxDelay)} must be a positive duration (was {GracefulDuration.Format(options.PreStopMaxDelay)}).");
        }
        else if (options.PreStopDelay > options.PreStopMaxDelay)
        {
            errors.Add($"{Section}:{nameof(options.PreStopDelay)} ({GracefulDuration.Format(options.PreStopDelay)}) must not be longer than {Section}:{nameof(options.PreStopMaxDelay)} ({GracefulDuration.Format(options.PreStopMaxDelay)}).");
        }

        foreach (var path in options.PreStopIgnorePaths.Where(p => !p.StartsWith('/')))
        {
            errors.Add($"{Section}:{nameof(options.PreStopIgnorePaths)}: '{path}' must start with '/'.");
        }
    }

    private static void RequirePositiveOrInfinite(List<string> errors, string section, string key, TimeSpan? value)
    {
        if (value is { } set)
        {
            RequirePositiveOrInfinite(errors, section, key, set);
        }
    }

    private static void RequirePositiveOrInfinite(List<string> errors, string section, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{section}:{key} must be a positive duration or infinite (was {value}).");
        }
    }
}
