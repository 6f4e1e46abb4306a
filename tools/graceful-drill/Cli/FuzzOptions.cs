using System.CommandLine;
using Graceful.Drill.Fuzz;
using Graceful.Drill.Load;

namespace Graceful.Drill.Cli;

/// <summary>
/// <c>--fuzz N</c> and its options, on the signal and upgrade commands: N trials, each firing the scenario's signal at a
/// random moment relative to requests in flight (Fuzz/). The moments' protocol is checked against <c>--http</c> once both are known.
/// </summary>
internal sealed class FuzzOptions
{
    public const int MaxTrials = 100_000;

    public Option<int?> Trials { get; } = new Option<int?>("--fuzz")
    {
        Description = "Fuzz: N trials instead of one run, each firing the signal at a random moment relative to requests in flight " +
            "(see --moments); reports per moment the trials and losses, the worst trial and a 95 % upper bound on the loss rate. " +
            "Without --seed the seed is random, and printed.",
        HelpName = "N",
    }.Must(n => n is >= 1 and <= MaxTrials, "must be 1 to 100000 trials.");

    public Option<string?> Moments { get; } = new Option<string?>("--moments")
    {
        Description = "With --fuzz, the moments to fire at, comma-separated, taking turns: idle-keep-alive, busy-keep-alive, accept-queue, mid-request (--http 1.1, " +
            "the default: all four), stream-open (--http 2).",
        HelpName = "moments",
    }.Parses(m => Fuzz.Moments.Parse(m!, protocol: null));

    public Option<int> Burst { get; } = new Option<int>("--burst")
    {
        Description = "With --fuzz, connects in an accept-queue burst: beyond the service's listen backlog (Kestrel's default is 512).",
        DefaultValueFactory = _ => 640,
    }.Must(b => b is >= 1 and <= 10_000, "must be 1 to 10000 connects.");

    public void AddTo(Command command)
    {
        command.Add(Trials);
        command.Add(Moments);
        command.Add(Burst);
    }

    /// <summary>The fuzz run asked for, or null for a single run; <paramref name="seed"/> is null when not given (a random one is drawn).</summary>
    public FuzzSettings? Read(ParseResult parse, HttpProtocol protocol, int? seed)
    {
        if (parse.GetValue(Trials) is not { } trials)
        {
            return null;
        }

        var moments = parse.GetValue(Moments) is { } names ? Fuzz.Moments.Parse(names, protocol) : Fuzz.Moments.For(protocol);
        return new FuzzSettings(trials, seed ?? Random.Shared.Next(), moments, parse.GetValue(Burst));
    }
}
