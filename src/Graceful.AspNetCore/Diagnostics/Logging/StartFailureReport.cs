using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Graceful.AspNetCore.Diagnostics.Logging;

/// <summary>
/// A start that <see cref="Microsoft.AspNetCore.Builder.GracefulHostExtensions.RunGracefullyAsync"/> reports in one line of its own. When Graceful
/// has seen why the start fails (a port in use), the host's own Error line about it, a stack trace of some 30 lines,
/// is left out: from that moment until the start has failed, every logging rule also refuses the host's Error-level
/// lines. Only then, and only for the host's category; an application run any other way logs exactly as before, and
/// no rule carries the extra check while the application runs.
/// </summary>
internal sealed class StartFailureReport : IPostConfigureOptions<LoggerFilterOptions>, IOptionsChangeTokenSource<LoggerFilterOptions>, IDisposable
{
    // Where Microsoft.Extensions.Hosting logs "Hosting failed to start" with the exception.
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();
    private volatile bool _reportedByRunner;
    private volatile bool _hostErrorsHidden;

    string? IOptionsChangeTokenSource<LoggerFilterOptions>.Name => Options.DefaultName;

    /// <summary>Whether the runner writes the start failure itself (so Graceful need not log it too).</summary>
    public bool ReportedByRunner => _reportedByRunner;

    /// <summary>The runner reports start failures from now until <see cref="EndStart"/>.</summary>
    public void BeginStart() => _reportedByRunner = true;

    /// <summary>The start has succeeded or failed: logging is as the application configured it again.</summary>
    public void EndStart()
    {
        _reportedByRunner = false;
        if (_hostErrorsHidden)
        {
            _hostErrorsHidden = false;
            Changed();
        }
    }

    /// <summary>Graceful knows why the start fails and the runner will say it: the host's dump of it is left out.</summary>
    public void Failing()
    {
        if (_reportedByRunner && !_hostErrorsHidden)
        {
            _hostErrorsHidden = true;
            Changed();
        }
    }

    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        if (!_hostErrorsHidden)
        {
            return;
        }

        // Each rule keeps its provider, category and level, so the same one is chosen as before, with the refusal added;
        // the rule-less default (MinLevel) gets a catch-all rule of its own level for the same reason.
        var rules = options.Rules.Select(r => new LoggerFilterRule(r.ProviderName, r.CategoryName, r.LogLevel, Refusing(r.Filter))).ToList();
        options.Rules.Clear();
        options.Rules.Add(new LoggerFilterRule(null, null, options.MinLevel, Refusing(null)));
        foreach (var rule in rules)
        {
            options.Rules.Add(rule);
        }
    }

    public IChangeToken GetChangeToken()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _changed.Dispose();
        }
    }

    private static Func<string?, string?, LogLevel, bool> Refusing(Func<string?, string?, LogLevel, bool>? filter) =>
        (provider, category, level) => !(level >= LogLevel.Error && category == HostCategory) && (filter?.Invoke(provider, category, level) ?? true);

    // Fires the change token; the logger factory then recomputes its loggers' rules, synchronously.
    private void Changed()
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            fired = _changed;
            _changed = new CancellationTokenSource();
        }

        fired.Cancel();
        fired.Dispose();
    }
}
