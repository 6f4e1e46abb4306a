using Graceful.AspNetCore.Limits;

namespace Graceful.AspNetCore;

/// <summary>
/// How Graceful stops the application. Bound from the configuration section <c>Graceful</c>
/// (durations as <c>5s</c>, <c>00:00:05</c> or <c>infinite</c>) and validated when the host starts.
/// </summary>
public sealed class GracefulOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Graceful";

    /// <summary>
    /// How long in-flight requests may run once the drain starts (after <see cref="PreStopDelay"/>) before their connections are aborted and the
    /// process exits with <see cref="DeadlineExitCode"/>. <see cref="Timeout.InfiniteTimeSpan"/> (the default)
    /// waits as long as requests run, like Go's <c>Shutdown(context.Background())</c>.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// How long, after the signal, the application goes on accepting and serving normally while its readiness check
    /// reports Unhealthy, so a load balancer or Kubernetes stops routing to it before its listeners close. Default
    /// zero. The drain's deadlines count from the end of this delay.
    /// </summary>
    public TimeSpan PreStopDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Turns the pre-stop adaptive: the listeners close once no request has arrived for this long (and at least
    /// <see cref="PreStopDelay"/> has passed), or at <see cref="PreStopMaxDelay"/> at the latest. That is the moment the
    /// load balancer has actually stopped sending, however long it took to learn of the stop. Requests to the health
    /// endpoints and to <see cref="PreStopIgnorePaths"/> do not count. Null (the default): the pre-stop is the fixed
    /// <see cref="PreStopDelay"/>.
    /// </summary>
    public TimeSpan? PreStopQuietPeriod { get; set; }

    /// <summary>
    /// The longest an adaptive pre-stop (<see cref="PreStopQuietPeriod"/>) may run while traffic keeps arriving.
    /// Default 15 s: what operators pad a fixed delay to for Kubernetes (dotnet/aspnetcore#30387, OpenShift), and
    /// half of Kubernetes' default 30 s grace period, so the drain keeps the other half.
    /// </summary>
    public TimeSpan PreStopMaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Paths (and the paths below them) whose requests an adaptive pre-stop does not count as traffic, beside the
    /// endpoints <c>MapGracefulHealthChecks</c> maps: balancers keep probing after they have stopped routing, and
    /// metrics scrapers keep scraping. Bound from <c>Graceful:PreStopIgnorePaths:0</c>, <c>:1</c>, ...
    /// </summary>
    public IList<string> PreStopIgnorePaths { get; } = [];

    /// <summary>
    /// Whether responses during the pre-stop (fixed or adaptive) carry <c>Connection: close</c> while the listeners
    /// still accept. See <see cref="PreStopConnectionClose"/>.
    /// </summary>
    public PreStopConnectionClose PreStopCloseConnections { get; set; } = PreStopConnectionClose.None;

    /// <summary>
    /// When, after the drain starts, <see cref="IShutdownTokens.SoftDeadline"/> fires so long handlers can end early with a
    /// proper response; <see cref="DrainTimeout"/> is the hard deadline that aborts what is left. Must not be later
    /// than <see cref="DrainTimeout"/>. <see cref="Timeout.InfiniteTimeSpan"/> (the default): no soft deadline.
    /// </summary>
    public TimeSpan SoftDrainTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Also fire each request's <c>RequestAborted</c> at the soft deadline, for handlers that already observe it.
    /// Off by default: it allocates a linked token per request.
    /// </summary>
    public bool AbortRequestsAtSoftDeadline { get; set; }

    /// <summary>
    /// The drain gives each HTTP/2 connection its client may be using the two-step GOAWAY with at least this long
    /// between the two frames, as Envoy's <c>drain_timeout</c> does: its client has read the first (and stopped opening
    /// streams) before the final one and the close reach it, and the streams it opened while the first was on its way
    /// are served instead of left unprocessed. Kestrel sends the first GOAWAY (2^31-1) only to a connection with a stream
    /// open, and the final one, with the close right behind it, as soon as none is, so Graceful asks each connection to
    /// close from inside a stream and ends the streams of a closing connection no earlier than this after it asked; an
    /// idle connection used within <see cref="IdleGrace"/> is kept for its client's next stream. Nothing changes while
    /// Graceful closes no connection (the drain, a pre-stop with <see cref="PreStopCloseConnections"/>,
    /// <see cref="MaxConnectionAge"/>). Bounded by the drain deadline. Null (the default): 100 ms,
    /// or half of a shorter <see cref="DrainTimeout"/>; zero: Kestrel's own close, every HTTP/2 connection asked to close
    /// at drain start.
    /// </summary>
    public TimeSpan? Http2GoAwayGrace { get; set; }

    /// <summary>
    /// When set, the drain closes the keep-alive connections open at its start over this window instead of all at once,
    /// as HAProxy's <c>close-spread-time</c> and Envoy's gradual drain do, so their clients do not all reconnect to the
    /// other instances in the same instant. Each connection gets one random moment in the window (the moments evenly
    /// spaced, their order shuffled): an idle one closes then, and a busy one's responses from then on say
    /// <c>Connection: close</c> (HTTP/2: GOAWAY), so a response at a given point of the window closes its connection with
    /// a probability that rises from 0 to 1 over it. The <see cref="IdleGrace"/> rule holds at each moment. The window
    /// ends early enough to leave <see cref="IdleGrace"/> before <see cref="DrainTimeout"/>; a second signal closes what
    /// is left at once. Null (the default): every connection is asked to close at drain start.
    /// </summary>
    public TimeSpan? CloseSpread { get; set; }

    /// <summary>
    /// Under systemd (<c>Type=notify</c>): during the drain, every this long, ask systemd to extend the stop timeout by
    /// twice this (<c>EXTEND_TIMEOUT_USEC</c>) when the drain made progress since the last time (a request completed or
    /// a connection closed), never past the drain deadline. A drain longer than <c>TimeoutStopSec</c> that makes progress
    /// is then not killed; a stuck one still is, at most twice this after its last progress. Each extension is logged.
    /// Null (the default): nothing is sent, and <c>TimeoutStopSec</c> bounds the stop as usual.
    /// </summary>
    public TimeSpan? SystemdExtendInterval { get; set; }

    /// <summary>
    /// When set, each connection is retired once it is this old (give or take <see cref="MaxConnectionAgeJitter"/>), as
    /// gRPC's <c>MAX_CONNECTION_AGE</c>: long-lived clients reconnect, and so re-balance onto instances added since
    /// (a scale-out). Retiring loses nothing: on HTTP/1.1 the next response says <c>Connection: close</c> (decided as it
    /// starts, as during the drain), and a connection serving no request is closed once it has been idle for
    /// <see cref="IdleGrace"/>; HTTP/2 gets GOAWAY and finishes its open streams. An upgraded connection (a WebSocket)
    /// is left to end with its stream. Once a shutdown begins, the drain takes over. Null (the default): connections
    /// live as long as their clients and Kestrel's keep-alive timeout let them, and nothing is added to any request.
    /// </summary>
    public TimeSpan? MaxConnectionAge { get; set; }

    /// <summary>
    /// How far each connection's age is drawn from <see cref="MaxConnectionAge"/>, up or down at random, so that
    /// connections opened together (a client fleet starting at once, or reconnecting after the last retirement) do not
    /// all reconnect together. Null (the default): 10 % of <see cref="MaxConnectionAge"/>, as gRPC. Zero: no jitter.
    /// </summary>
    public TimeSpan? MaxConnectionAgeJitter { get; set; }

    /// <summary>
    /// How long a retiring connection (<see cref="MaxConnectionAge"/>) may stay open for the work in flight on it:
    /// then it is cut, with whatever it is still serving, and a warning is logged. An upgraded HTTP/1.1 connection
    /// (a WebSocket) is never cut. <see cref="Timeout.InfiniteTimeSpan"/> (the default, as gRPC's
    /// <c>MAX_CONNECTION_AGE_GRACE</c>): never cut; a long request or stream keeps its connection until it ends.
    /// </summary>
    public TimeSpan MaxConnectionAgeGrace { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// How recently a keep-alive connection must have been used for the drain to keep it open for the client's next
    /// request (answered with <c>Connection: close</c>) rather than close it under a request the client may be
    /// sending. Connections idle for longer close at once; kept ones close when they have idled this long.
    /// <see cref="TimeSpan.Zero"/> closes every idle connection at once, as Go and Kestrel do.
    /// </summary>
    public TimeSpan IdleGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When set, a request that arrives after the drain has started (on a connection kept open for it) is not run:
    /// it is answered 503 with this <c>Retry-After</c> (whole seconds) and <c>Connection: close</c>, so the client or
    /// balancer retries it elsewhere. Null (the default): such requests are served, with <c>Connection: close</c>.
    /// </summary>
    public TimeSpan? RejectDuringDrainRetryAfter { get; set; }

    /// <summary>
    /// What a second SIGTERM, SIGINT, SIGQUIT (or SIGHUP) during the shutdown does: true (the default) cuts the drain
    /// now, as if its deadline had passed, so an operator's second Ctrl+C is never ignored; false logs it and waits
    /// on. Signals within 100 ms of the first are one request sent by several senders, not a second signal.
    /// </summary>
    public bool SecondSignalForcesDeadline { get; set; } = true;

    /// <summary>
    /// Ignore SIGHUP instead of shutting down on it. By default SIGHUP (a terminal hang-up, or <c>systemctl reload</c>
    /// with <c>ExecReload=kill -HUP</c>) starts the same graceful shutdown as SIGTERM, unless in-place upgrades use it.
    /// </summary>
    public bool IgnoreSighup { get; set; }

    /// <summary>
    /// During the drain, how long a connection that is not serving a request may take to send a complete request
    /// line and headers, counted from the drain's start (or from its accept or last response, if later). A real
    /// client that makes it is answered, with <c>Connection: close</c>; one that does not (it trickles its headers,
    /// or sent part of a request and stopped) is closed, so it cannot hold the exit until
    /// <see cref="ServerLimitsOptions.ReadHeaderTimeout"/>. Default 5 s.
    /// </summary>
    public TimeSpan DrainReadHeaderTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long each shutdown hook may run, unless the hook names its own timeout.</summary>
    public TimeSpan HookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where to write the shutdown report as JSON at the end of every shutdown: the signal, each phase's duration,
    /// the connections at drain start, every request in flight at the signal or arriving during the drain with its
    /// outcome, and totals. Null (the default): the report is only logged, as the last line.
    /// </summary>
    public string? ReportPath { get; set; }

    /// <summary>
    /// A file to hold the process id once the application serves, replaced atomically with the successor's id when an
    /// in-place upgrade hands over, and removed at exit. Null (the default): no file.
    /// </summary>
    public string? PidFile { get; set; }

    /// <summary>In-place upgrades: the successor inherits the listening sockets, then this process drains.</summary>
    public UpgradeOptions Upgrade { get; } = new();

    /// <summary>The process exit code when the drain deadline cut requests (a clean drain exits 0).</summary>
    public int DeadlineExitCode { get; set; } = 1;

    /// <summary>Go-style server limits, mapped onto Kestrel.</summary>
    public ServerLimitsOptions Limits { get; } = new();
}
