using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Graceful.AspNetCore.Configuration;

/// <summary>
/// Binds <see cref="GracefulOptions"/> from configuration by hand: durations accept the operator's syntax
/// (<c>5s</c>, <c>infinite</c>) that the reflection binder does not, no reflection is needed under NativeAOT,
/// and a bad value fails at start with its full key (<c>Graceful:DrainTimeout</c>).
/// </summary>
internal sealed class GracefulOptionsBinder(IConfiguration configuration) : IConfigureOptions<GracefulOptions>
{
    public void Configure(GracefulOptions options)
    {
        var section = configuration.GetSection(GracefulOptions.SectionName);
        var errors = new List<string>();

        BindDuration(section, nameof(GracefulOptions.DrainTimeout), v => options.DrainTimeout = v, errors);
        BindDuration(section, nameof(GracefulOptions.HookTimeout), v => options.HookTimeout = v, errors);
        BindDuration(section, nameof(GracefulOptions.IdleGrace), v => options.IdleGrace = v, errors);
        BindDuration(section, nameof(GracefulOptions.PreStopDelay), v => options.PreStopDelay = v, errors);
        BindDuration(section, nameof(GracefulOptions.PreStopQuietPeriod), v => options.PreStopQuietPeriod = v, errors);
        BindDuration(section, nameof(GracefulOptions.PreStopMaxDelay), v => options.PreStopMaxDelay = v, errors);
        Bind(section, nameof(GracefulOptions.PreStopCloseConnections), static (string text, out PreStopConnectionClose value) =>
                Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value),
            "None, AfterDelay or FromStart", v => options.PreStopCloseConnections = v, errors);
        var ignorePaths = BindList(section.GetSection(nameof(GracefulOptions.PreStopIgnorePaths)));
        if (ignorePaths.Count > 0)
        {
            options.PreStopIgnorePaths.Clear();
            ignorePaths.ForEach(options.PreStopIgnorePaths.Add);
        }
        BindDuration(section, nameof(GracefulOptions.RejectDuringDrainRetryAfter), v => options.RejectDuringDrainRetryAfter = v, errors);
        BindDuration(section, nameof(GracefulOptions.SoftDrainTimeout), v => options.SoftDrainTimeout = v, errors);
        BindDuration(section, nameof(GracefulOptions.DrainReadHeaderTimeout), v => options.DrainReadHeaderTimeout = v, errors);
        BindBool(section, nameof(GracefulOptions.IgnoreSighup), v => options.IgnoreSighup = v, errors);
        BindBool(section, nameof(GracefulOptions.AbortRequestsAtSoftDeadline), v => options.AbortRequestsAtSoftDeadline = v, errors);
        BindBool(section, nameof(GracefulOptions.SecondSignalForcesDeadline), v => options.SecondSignalForcesDeadline = v, errors);
        BindInt(section, nameof(GracefulOptions.DeadlineExitCode), v => options.DeadlineExitCode = v, errors);
        if (section[nameof(GracefulOptions.ReportPath)] is { Length: > 0 } reportPath)
        {
            options.ReportPath = reportPath;
        }

        if (section[nameof(GracefulOptions.PidFile)] is { Length: > 0 } pidFile)
        {
            options.PidFile = pidFile;
        }

        var upgrade = section.GetSection(nameof(GracefulOptions.Upgrade));
        BindBool(upgrade, nameof(options.Upgrade.Enabled), v => options.Upgrade.Enabled = v, errors);
        BindDuration(upgrade, nameof(options.Upgrade.ReadyTimeout), v => options.Upgrade.ReadyTimeout = v, errors);
        if (upgrade[nameof(options.Upgrade.Signal)] is { Length: > 0 } signal)
        {
            options.Upgrade.Signal = signal;
        }

        var command = BindList(upgrade.GetSection(nameof(options.Upgrade.Command)));
        if (command.Count > 0)
        {
            options.Upgrade.Command.Clear();
            command.ForEach(options.Upgrade.Command.Add);
        }

        var limits = section.GetSection(nameof(GracefulOptions.Limits));
        BindDuration(limits, nameof(options.Limits.ReadHeaderTimeout), v => options.Limits.ReadHeaderTimeout = v, errors);
        BindDuration(limits, nameof(options.Limits.ReadTimeout), v => options.Limits.ReadTimeout = v, errors);
        BindDuration(limits, nameof(options.Limits.WriteTimeout), v => options.Limits.WriteTimeout = v, errors);
        BindDuration(limits, nameof(options.Limits.IdleTimeout), v => options.Limits.IdleTimeout = v, errors);
        BindInt(limits, nameof(options.Limits.MaxHeaderBytes), v => options.Limits.MaxHeaderBytes = v, errors);

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(GracefulOptions), errors);
        }
    }

    private delegate bool TryParse<T>(string text, out T value);

    // A list is a section of indexed keys (Command:0, Command:1, ...), read in index order.
    private static List<string> BindList(IConfigurationSection section) => section.GetChildren()
        .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
        .Select(c => c.Value)
        .OfType<string>()
        .ToList();

    private static void BindDuration(IConfigurationSection section, string key, Action<TimeSpan> set, List<string> errors) =>
        Bind(section, key, GracefulDuration.TryParse, GracefulDuration.Syntax, set, errors);

    private static void BindBool(IConfigurationSection section, string key, Action<bool> set, List<string> errors) =>
        Bind(section, key, bool.TryParse, "true or false", set, errors);

    private static void BindInt(IConfigurationSection section, string key, Action<int> set, List<string> errors) =>
        Bind(section, key, static (string text, out int value) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
            "a whole number", set, errors);

    // A key that is absent leaves the default; one that does not parse is reported with its full path.
    private static void Bind<T>(IConfigurationSection section, string key, TryParse<T> tryParse, string expected, Action<T> set, List<string> errors)
    {
        if (section[key] is not { } text)
        {
            return;
        }

        if (tryParse(text, out var value))
        {
            set(value);
        }
        else
        {
            errors.Add($"{section.Path}:{key}: '{text}' is not {expected}.");
        }
    }
}
