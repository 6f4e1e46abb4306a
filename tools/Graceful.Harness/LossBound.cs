namespace Graceful.Harness;

/// <summary>
/// A one-sided upper confidence bound on a rate from <c>k</c> events in <c>n</c> independent trials: what a run of
/// trials proves about the rate it did not see. With no event, the rule of three (3/n, for 95 %); with events, the exact
/// binomial bound of Clopper and Pearson: the rate p at which seeing k or fewer events in n trials has probability 1 - confidence.
/// </summary>
public static class LossBound
{
    /// <summary>The upper bound on the rate, in [0, 1]; 1 when there was no trial (nothing is proved).</summary>
    public static double Upper(long events, long trials, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(events);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(events, trials);
        if (confidence is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "must be between 0 and 1");
        }

        if (trials == 0 || events == trials)
        {
            return 1;
        }

        if (events == 0)
        {
            // -ln(1 - confidence) / n: 2.996 / n at 95 %, the "3" of the rule of three.
            return Math.Min(1, -Math.Log(1 - confidence) / trials);
        }

        // The cumulative probability falls as p rises: bisect for where it crosses 1 - confidence.
        double low = (double)events / trials, high = 1;
        for (var i = 0; i < 100; i++)
        {
            var mid = (low + high) / 2;
            if (AtMost(events, trials, mid) > 1 - confidence)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return high;
    }

    /// <summary>Which bound <see cref="Upper"/> used: "rule of three" or "Clopper-Pearson".</summary>
    public static string Method(long events) => events == 0 ? "rule of three" : "Clopper-Pearson";

    /// <summary>P(X ≤ k) for X ~ Binomial(n, p), summed in logarithms so large n does not underflow.</summary>
    private static double AtMost(long k, long n, double p)
    {
        double sum = 0, logTerm = n * Math.Log(1 - p); // P(X = 0)
        for (long i = 0; i <= k; i++)
        {
            sum += Math.Exp(logTerm);
            logTerm += Math.Log((double)(n - i) / (i + 1)) + Math.Log(p / (1 - p));
        }

        return sum;
    }
}
