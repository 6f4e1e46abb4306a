using System.Globalization;

namespace Upgrade;

/// <summary>The results as one Markdown table, a row per app, then each app's requests lost per upgrade.</summary>
internal static class Report
{
    public static void Print(Settings settings, IReadOnlyList<AppResult> results)
    {
        Console.WriteLine($"In-place upgrades under load: {settings.Clients} busy keep-alive clients on GET /ping, {settings.Upgrades} upgrades (SIGHUP) " +
            $"one after another, {settings.Gap.TotalMilliseconds:0} ms apart; times from SIGHUP in milliseconds.");
        Console.WriteLine();
        Console.WriteLine("| server | upgrades ok | failed | requests ok | lost | refused | non-2xx | upgrades that lost requests | switchover median / p95 / max | old process exit median / p95 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var ok = r.Upgrades.Count(u => u.Ok);
            var failed = settings.Upgrades - ok;
            var switchover = Sorted(r.Upgrades.Select(u => u.SwitchoverMs));
            var exit = Sorted(r.Upgrades.Select(u => u.OldExitMs));
            Console.WriteLine(Invariant($"| {r.Label} | {ok} | {failed} | {r.Load.Ok} | {r.Load.Lost} | {r.Load.Refused} | {r.Load.NonSuccess} | ") +
                Invariant($"{r.Upgrades.Count(u => u.Lost > 0)} of {r.Upgrades.Count} | {Median(switchover)} / {P95(switchover)} / {Max(switchover)} | {Median(exit)} / {P95(exit)} |"));
        }

        Console.WriteLine();
        foreach (var r in results)
        {
            if (r.Upgrades.Count == 0)
            {
                Console.WriteLine($"- {r.Label}: {r.Problem}.");
                continue;
            }

            Console.WriteLine($"- {r.Label}: requests lost per upgrade: {string.Join(' ', r.Upgrades.Select(u => u.Lost))}; " +
                $"after the last upgrade GET /pid {(r.LastPidServes ? "answered from the last process" : "did NOT answer from the last process")}" +
                (r.Problem is null ? "." : $"; {r.Problem}."));
        }
    }

    private static List<double> Sorted(IEnumerable<double?> values) => [.. values.OfType<double>().Order()];

    private static string Median(List<double> s) => s.Count == 0 ? "-" : Format(s[s.Count / 2]);

    // Nearest rank: of 50 values, the 48th.
    private static string P95(List<double> s) => s.Count == 0 ? "-" : Format(s[(int)Math.Ceiling(0.95 * s.Count) - 1]);

    private static string Max(List<double> s) => s.Count == 0 ? "-" : Format(s[^1]);

    private static string Format(double ms) => Invariant($"{ms:0.0}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
