using Graceful.AspNetCore.Platform.Signals;
using static Graceful.AspNetCore.Configuration.OptionRules;
using static Graceful.AspNetCore.Configuration.OptionValues;

namespace Graceful.AspNetCore.Configuration;

/// <summary>
/// Every option of <see cref="GracefulOptions"/>, declared once: its key, what it accepts, what the docs say, and
/// the rules between options. The binder, the validator and the README's options table all come from here; the
/// defaults stay at the properties' declarations. A new option is a property and one entry below.
/// </summary>
internal sealed class GracefulOptionsDeclaration : OptionDeclarations<GracefulOptions>
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    private GracefulOptionsDeclaration()
    {
    }

    /// <summary>The options in the order the docs list them.</summary>
    public static OptionTable<GracefulOptions> Table { get; } = new(GracefulOptions.SectionName,
    [
        Value("PreStopDelay", Duration, o => o.PreStopDelay, (o, v) => o.PreStopDelay = v, UpTo(TenMinutes),
            "Go on accepting and serving this long after the signal while readiness reports Unhealthy, so a load balancer or Kubernetes stops routing here before the listeners close (the sample: `--pre-stop-delay 2s`). A second signal ends it early."),
        Value("PreStopQuietPeriod", OptionalDuration, o => o.PreStopQuietPeriod, (o, v) => o.PreStopQuietPeriod = v, WhenSet(Positive()),
            "The adaptive pre-stop: after at least `PreStopDelay`, the listeners close once no request has arrived for this long, which is when the balancer has actually stopped sending, however long it took to learn of the stop (the sample: `--pre-stop-quiet 500ms`). Requests to the endpoints `MapGracefulHealthChecks` maps, and to `PreStopIgnorePaths`, do not count: balancers keep probing an instance they no longer route to. Unset: `PreStopDelay` is a fixed delay, as before. The log and the report say what ended it (`quiet`, `maximum`, `signal`), after how long, and what arrived during it."),
        // Checked only for an adaptive pre-stop (the rules below): a fixed one never reads it.
        Value("PreStopMaxDelay", Duration, o => o.PreStopMaxDelay, (o, v) => o.PreStopMaxDelay = v, null,
            "The longest an adaptive pre-stop serves while traffic keeps arriving; when it ends it, the log warns and names the addresses still sending (the balancer's, plus `X-Forwarded-For`). 15 s is what operators pad a fixed delay to (dotnet/aspnetcore#30387, OpenShift) and half of Kubernetes' default 30 s grace period, leaving the other half to the drain."),
        List("PreStopIgnorePaths", o => o.PreStopIgnorePaths, "paths starting with `/`",
            "More paths (and the paths below them) that an adaptive pre-stop does not count as traffic, e.g. `/metrics`."),
        Value("PreStopCloseConnections", OneOf<PreStopConnectionClose>(), o => o.PreStopCloseConnections, (o, v) => o.PreStopCloseConnections = v, null,
            "`AfterDelay` or `FromStart`: responses during the pre-stop say `Connection: close` (HTTP/2: GOAWAY) while the listeners still accept, so a balancer that reuses its backend connections must reconnect, and goes elsewhere once it has learned of the stop."),
        Value("DrainTimeout", Duration, o => o.DrainTimeout, (o, v) => o.DrainTimeout = v, PositiveOrInfinite,
            "How long in-flight requests may run once the drain starts (after `PreStopDelay`). At the deadline each request still running is logged (method, path, how long it ran), its connection is aborted, and the process exits with `DeadlineExitCode`. `infinite` (the default) waits like Go's `Shutdown(context.Background())`; the host's `HostOptions.ShutdownTimeout` cuts it only when the app set that timeout itself (see below)."),
        Value("IdleGrace", Duration, o => o.IdleGrace, (o, v) => o.IdleGrace = v, UpTo(TenMinutes, "infinite would keep idle connections for ever"),
            "At drain start, a keep-alive connection used within this long stays open for the client's next request, which is answered with `Connection: close`, instead of being closed under a request the client may be sending (the race that loses one request per busy connection in Go and ASP.NET Core). Connections idle for longer close at once; `0` behaves like Go."),
        Value("SoftDrainTimeout", Duration, o => o.SoftDrainTimeout, (o, v) => o.SoftDrainTimeout = v, PositiveOrInfinite,
            "The soft deadline: this long after the drain starts, `IShutdownTokens.SoftDeadline` fires so long handlers can finish early with a proper response; `DrainTimeout` stays the hard deadline."),
        Value("AbortRequestsAtSoftDeadline", Flag, o => o.AbortRequestsAtSoftDeadline, (o, v) => o.AbortRequestsAtSoftDeadline = v, null,
            "Also fire each request's `RequestAborted` at the soft deadline, for handlers that already observe it (costs a linked token per request)."),
        Value("Http2GoAwayGrace", OptionalDuration, o => o.Http2GoAwayGrace, (o, v) => o.Http2GoAwayGrace = v, WhenSet(UpTo(TenMinutes)),
            "Every HTTP/2 connection its client may be using gets the two-step GOAWAY (2^31-1, then the last stream served) with at least this long between the two, as Envoy's `drain_timeout`: the client has read the first, and stopped opening streams, before the final one and the close reach it, and streams it opened while the first was on its way are served. Kestrel alone sends one GOAWAY and closes a millisecond later, and `HttpClient` can then lose a request (docs/design.md, \"HTTP/2 GOAWAY\"). An idle connection used within `IdleGrace` is kept for its client's next stream; the last stream of a closing connection ends no earlier than this after its close was asked (only when Graceful closes it: the drain, a pre-stop with `PreStopCloseConnections`, `MaxConnectionAge`). Bounded by the drain deadline. The report counts the HTTP/2 connections asked to close while serving and while idle. `0`: Kestrel's own close.",
            unset: "`100ms` (half of `DrainTimeout` if that is shorter)"),
        Value("CloseSpread", OptionalDuration, o => o.CloseSpread, (o, v) => o.CloseSpread = v, WhenSet(PositiveUpTo(TenMinutes)),
            "When set, the drain closes the keep-alive connections open at its start over this window rather than all at once (HAProxy's `close-spread-time`, Envoy's gradual drain), so their clients reconnect to the other instances at an even rate instead of in one storm (docs/benchmarks.md, \"Spreading the closes\"). Each connection gets a random moment in the window: an idle one closes then, a busy one answers its next response with `Connection: close` (HTTP/2: GOAWAY); `IdleGrace` still holds at each moment. The window ends early enough to leave `IdleGrace` before `DrainTimeout`; a second signal closes the rest at once. Unset: every connection is asked to close at drain start."),
        Value("SystemdExtendInterval", OptionalDuration, o => o.SystemdExtendInterval, (o, v) => o.SystemdExtendInterval = v, WhenSet(PositiveUpTo(TenMinutes)),
            "Under systemd (`Type=notify`): during the drain, every this long, ask systemd to extend the stop timeout by twice this (`EXTEND_TIMEOUT_USEC`) if the drain made progress since the last time (a request completed or a connection closed), never past `DrainTimeout`. A drain longer than the unit's `TimeoutStopSec` is then not SIGKILLed while it makes progress; a stuck one still is. Each extension is logged (event `SystemdStopTimeoutExtended`). Keep it under half of `TimeoutStopSec`."),
        Value("MaxConnectionAge", OptionalDuration, o => o.MaxConnectionAge, (o, v) => o.MaxConnectionAge = v, WhenSet(Positive()),
            "When set, each connection is retired once it is this old (give or take `MaxConnectionAgeJitter`), as gRPC's `MAX_CONNECTION_AGE`, so long-lived clients reconnect and re-balance onto instances added since. Nothing is lost, by the drain's rules: HTTP/1.1's next response says `Connection: close`, HTTP/2's next stream asks for GOAWAY (both steps, `Http2GoAwayGrace` apart), and one not used for `IdleGrace` closes at once. WebSockets are left to end on their own; once a shutdown begins, the drain takes over. Unset: nothing is added to any request (see docs/design.md, \"Maximum connection age\")."),
        Value("MaxConnectionAgeJitter", OptionalDuration, o => o.MaxConnectionAgeJitter, (o, v) => o.MaxConnectionAgeJitter = v, WhenSet(ZeroOrPositive),
            "Each connection's age is `MaxConnectionAge` plus or minus a random amount up to this, so connections opened together do not reconnect together.", unset: "10 % of `MaxConnectionAge`, as gRPC"),
        Value("MaxConnectionAgeGrace", Duration, o => o.MaxConnectionAgeGrace, (o, v) => o.MaxConnectionAgeGrace = v, PositiveOrInfinite,
            "How long a connection retired for its age may stay open for the requests and streams in flight on it; then it is cut with them (event `ConnectionAgeGraceCut`). Upgraded HTTP/1.1 connections (WebSockets) are never cut. `infinite` (the default, as gRPC): never cut."),
        Value("ReportPath", FilePath, o => o.ReportPath, (o, v) => o.ReportPath = v, InExistingFolder,
            "Write the shutdown report as JSON here at the end of every shutdown (the sample: `--report PATH`)."),
        Value("RejectDuringDrainRetryAfter", OptionalDuration, o => o.RejectDuringDrainRetryAfter, (o, v) => o.RejectDuringDrainRetryAfter = v, WhenSet(ZeroOrPositive),
            "When set, a request arriving after the drain started (on a connection kept for it) is not run but answered 503 with this `Retry-After` and `Connection: close`, for clients and balancers that retry elsewhere. By default such requests are served."),
        Value("SecondSignalForcesDeadline", Flag, o => o.SecondSignalForcesDeadline, (o, v) => o.SecondSignalForcesDeadline = v, null,
            "A second SIGTERM/SIGINT/SIGQUIT/SIGHUP during the shutdown cuts the drain at once (and the report lists what was cut); `false` logs it and waits on. Signals within 100 ms of the first are one request from several senders (a wrapper and a supervisor both forwarding), not a second signal."),
        Value("IgnoreSighup", Flag, o => o.IgnoreSighup, (o, v) => o.IgnoreSighup = v, null,
            "SIGHUP starts the same graceful shutdown as SIGTERM (unless upgrades use it); `true` logs it once and ignores it. Under systemd, a unit whose `ExecReload` sends HUP to an app without upgrades therefore stops it cleanly with exit 0, and `Restart=on-failure` does not restart it: give such a unit no `ExecReload`, or set this."),
        Value("DrainReadHeaderTimeout", Duration, o => o.DrainReadHeaderTimeout, (o, v) => o.DrainReadHeaderTimeout = v,
            PositiveUpTo(TenMinutes, "a connection that never completes a request must not hold the exit for ever"),
            "During the drain, how long a connection not serving a request has (from the drain's start, or its accept or last response if later) to send a complete request line and headers; then it is closed, so a client trickling its headers cannot hold the exit until `ReadHeaderTimeout`. One that makes it is answered with `Connection: close`. The report counts those closed."),
        Value("HookTimeout", Duration, o => o.HookTimeout, (o, v) => o.HookTimeout = v, PositiveOrInfinite,
            "How long each shutdown hook may run unless it names its own timeout."),
        Value("DeadlineExitCode", WholeNumber, o => o.DeadlineExitCode, (o, v) => o.DeadlineExitCode = v, Between(1, 255, "a cut drain must not look clean"),
            "The exit code after a drain the deadline cut. A clean drain exits 0."),
        Value("PidFile", FilePath, o => o.PidFile, (o, v) => o.PidFile = v, InExistingFolder,
            "Keep the process id in this file (written once serving, replaced atomically with the successor's id by an upgrade, removed at exit; the sample: `--pid-file PATH`)."),
        Value("Upgrade:Enabled", Flag, o => o.Upgrade.Enabled, (o, v) => o.Upgrade.Enabled = v,
            new("`true` or `false`; `true` needs Linux", static on => !on || OperatingSystem.IsLinux(),
                static _ => ": in-place upgrades need Linux (listener inheritance with posix_spawn and Unix socket pairs)."),
            "In-place upgrades on `Graceful:Upgrade:Signal`: see below. The sample turns them on."),
        Value("Upgrade:Signal", Name, o => o.Upgrade.Signal, (o, v) => o.Upgrade.Signal = v,
            new("`SIGHUP`, `SIGUSR1` or `SIGUSR2`", static name => UpgradeSignal.TryParse(name, out _),
                static name => $" must be {UpgradeSignal.Names} (was '{name}')."),
            "The signal that starts an upgrade (`SIGHUP` as nginx and tableflip use it)."),
        List("Upgrade:Command", o => o.Upgrade.Command, "program, then its arguments",
            "The successor's command line.", empty: "own command line"),
        Value("Upgrade:ReadyTimeout", Duration, o => o.Upgrade.ReadyTimeout, (o, v) => o.Upgrade.ReadyTimeout = v,
            Positive("a successor that never becomes ready must not block upgrades for ever"),
            "How long the successor has to serve before it is killed and the old process serves on."),
        Value("Limits:ReadHeaderTimeout", OptionalDuration, o => o.Limits.ReadHeaderTimeout, (o, v) => o.Limits.ReadHeaderTimeout = v, WhenSet(PositiveOrInfinite),
            "Time to send the request line and headers (Kestrel `RequestHeadersTimeout`): 408, or a closed connection if nothing was sent.", unset: "Kestrel's (`30s`)"),
        Value("Limits:ReadTimeout", OptionalDuration, o => o.Limits.ReadTimeout, (o, v) => o.Limits.ReadTimeout = v, WhenSet(PositiveOrInfinite),
            "Time from the request's start to read its whole body: a read past it fails with 408."),
        Value("Limits:WriteTimeout", OptionalDuration, o => o.Limits.WriteTimeout, (o, v) => o.Limits.WriteTimeout = v, WhenSet(PositiveOrInfinite),
            "Time from the request's start for the handler to **start** its response. Past it the client gets **504** with `Connection: close` and the log a warning; the handler's `RequestAborted` fires and its late writes are discarded. A started response is never cut."),
        Value("Limits:IdleTimeout", OptionalDuration, o => o.Limits.IdleTimeout, (o, v) => o.Limits.IdleTimeout = v, WhenSet(PositiveOrInfinite),
            "Keep-alive idle time between requests (Kestrel `KeepAliveTimeout`).", unset: "Kestrel's (`130s`)"),
        Value("Limits:MaxHeaderBytes", OptionalWholeNumber, o => o.Limits.MaxHeaderBytes, (o, v) => o.Limits.MaxHeaderBytes = v, WhenSet(AtLeast(1024)),
            "Request line plus headers (Kestrel `MaxRequestHeadersTotalSize` and `MaxRequestLineSize`; its request buffer grows to hold them): larger headers get **431**, a longer request line **414**. Go's `http.Server` uses 1 MiB (`1 << 20`); the sample sets that.", unset: "Kestrel's (32 KiB of headers, 8 KiB request line)"),
    ],
    [
        Rule("SoftDrainTimeout", "`SoftDrainTimeout` must not be later than `DrainTimeout` (unless either is `infinite`).",
            static (o, s) => ErrorIf(
                o.DrainTimeout != Timeout.InfiniteTimeSpan && o.SoftDrainTimeout != Timeout.InfiniteTimeSpan && o.SoftDrainTimeout > o.DrainTimeout,
                () => $"{s}:SoftDrainTimeout ({Show(o.SoftDrainTimeout)}) must not be later than {s}:DrainTimeout ({Show(o.DrainTimeout)}).")),

        Rule("Http2GoAwayGrace", "`Http2GoAwayGrace` must be shorter than `DrainTimeout` (unless that is `infinite`).",
            static (o, s) => ErrorIf(
                o.Http2GoAwayGrace is { } grace && o.DrainTimeout != Timeout.InfiniteTimeSpan && grace >= o.DrainTimeout,
                () => $"{s}:Http2GoAwayGrace ({Show(o.Http2GoAwayGrace ?? TimeSpan.Zero)}) must be shorter than {s}:DrainTimeout ({Show(o.DrainTimeout)}): the streams it holds would be cut.")),

        Rule("CloseSpread", "`CloseSpread` must not be longer than `DrainTimeout` (unless that is `infinite`).",
            static (o, s) => ErrorIf(
                o.CloseSpread is { } spread && o.DrainTimeout != Timeout.InfiniteTimeSpan && spread > o.DrainTimeout,
                () => $"{s}:CloseSpread ({Show(o.CloseSpread ?? TimeSpan.Zero)}) must not be longer than {s}:DrainTimeout ({Show(o.DrainTimeout)}): the deadline would cut the connections left to close.")),
        Rule("MaxConnectionAgeJitter", "`MaxConnectionAgeJitter` must be shorter than `MaxConnectionAge`.",
            static (o, s) => ErrorIf(
                o.MaxConnectionAge is { } age && o.MaxConnectionAgeJitter is { } jitter && jitter >= age,
                () => $"{s}:MaxConnectionAgeJitter ({Show(o.MaxConnectionAgeJitter ?? TimeSpan.Zero)}) must be shorter than {s}:MaxConnectionAge ({Show(o.MaxConnectionAge ?? TimeSpan.Zero)}): a connection would be retired as it opens.")),

        // An adaptive pre-stop (PreStopQuietPeriod set) is the only reader of the next three.
        Rule("PreStopMaxDelay", "With `PreStopQuietPeriod` set, `PreStopMaxDelay` must be a positive duration (not `infinite`).",
            static (o, s) => ErrorIf(
                o.PreStopQuietPeriod is not null && o.PreStopMaxDelay <= TimeSpan.Zero,
                () => $"{s}:PreStopMaxDelay must be a positive duration (was {Show(o.PreStopMaxDelay)}).")),
        Rule("PreStopDelay", "With `PreStopQuietPeriod` set, `PreStopDelay` must not be longer than `PreStopMaxDelay`.",
            static (o, s) => ErrorIf(
                o.PreStopQuietPeriod is not null && o.PreStopMaxDelay > TimeSpan.Zero && o.PreStopDelay > o.PreStopMaxDelay,
                () => $"{s}:PreStopDelay ({Show(o.PreStopDelay)}) must not be longer than {s}:PreStopMaxDelay ({Show(o.PreStopMaxDelay)}).")),
        Rule("PreStopIgnorePaths", "With `PreStopQuietPeriod` set, each of `PreStopIgnorePaths` must start with `/`.",
            static (o, s) => o.PreStopQuietPeriod is null
                ? []
                : o.PreStopIgnorePaths.Where(p => !p.StartsWith('/')).Select(p => $"{s}:PreStopIgnorePaths: '{p}' must start with '/'.")),
    ]);
}
