using Graceful.AspNetCore;
using Graceful.AspNetCore.Configuration;

namespace Graceful.Tests.Configuration;

/// <summary>Each rule refuses what Graceful cannot honour with one error that names the option's key.</summary>
public class GracefulOptionsValidationTests
{
    // One way to break each rule between options, by the key its error names first.
    private static readonly Dictionary<string, (Action<GracefulOptions> Break, string Error)> CrossRuleBreaks = new()
    {
        ["SoftDrainTimeout"] = (o =>
        {
            o.DrainTimeout = TimeSpan.FromSeconds(1);
            o.SoftDrainTimeout = TimeSpan.FromSeconds(2);
        }, "Graceful:SoftDrainTimeout (2s) must not be later than Graceful:DrainTimeout (1s)."),
        ["Http2GoAwayGrace"] = (o =>
        {
            o.DrainTimeout = TimeSpan.FromSeconds(1);
            o.Http2GoAwayGrace = TimeSpan.FromSeconds(1);
        }, "Graceful:Http2GoAwayGrace (1s) must be shorter than Graceful:DrainTimeout (1s): the streams it holds would be cut."),
        ["CloseSpread"] = (o =>
        {
            o.DrainTimeout = TimeSpan.FromSeconds(1);
            o.CloseSpread = TimeSpan.FromSeconds(2);
        }, "Graceful:CloseSpread (2s) must not be longer than Graceful:DrainTimeout (1s): the deadline would cut the connections left to close."),
        ["MaxConnectionAgeJitter"] = (o =>
        {
            o.MaxConnectionAge = TimeSpan.FromSeconds(30);
            o.MaxConnectionAgeJitter = TimeSpan.FromSeconds(30);
        }, "Graceful:MaxConnectionAgeJitter (30s) must be shorter than Graceful:MaxConnectionAge (30s): a connection would be retired as it opens."),
        ["PreStopMaxDelay"] = (o =>
        {
            o.PreStopQuietPeriod = TimeSpan.FromMilliseconds(500);
            o.PreStopMaxDelay = Timeout.InfiniteTimeSpan;
        }, "Graceful:PreStopMaxDelay must be a positive duration (was infinite)."),
        ["PreStopDelay"] = (o =>
        {
            o.PreStopQuietPeriod = TimeSpan.FromMilliseconds(500);
            o.PreStopDelay = TimeSpan.FromSeconds(20);
        }, "Graceful:PreStopDelay (20s) must not be longer than Graceful:PreStopMaxDelay (15s)."),
        ["PreStopIgnorePaths"] = (o =>
        {
            o.PreStopQuietPeriod = TimeSpan.FromMilliseconds(500);
            o.PreStopIgnorePaths.Add("/metrics");
            o.PreStopIgnorePaths.Add("healthz");
        }, "Graceful:PreStopIgnorePaths: 'healthz' must start with '/'."),
    };

    public static TheoryData<string> CrossRuleKeys => [.. CrossRuleBreaks.Keys];

    [Fact]
    public void Defaults_AreValid() => Assert.Empty(Validate(_ => { }));

    [Fact]
    public void EveryRuleBetweenOptions_IsBrokenByATestBelow() =>
        Assert.Equal(
            GracefulOptionsDeclaration.Table.CrossRules.Select(r => r.Key).Order(StringComparer.Ordinal),
            CrossRuleBreaks.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(CrossRuleKeys))]
    public void BrokenRuleBetweenOptions_IsOneError_NamingItsKey(string key)
    {
        var (breakIt, expected) = CrossRuleBreaks[key];

        var errors = Validate(breakIt);

        Assert.Equal([expected], errors);
        Assert.StartsWith("Graceful:" + key, errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)] // infinite
    [InlineData(2_000)] // equal is allowed
    [InlineData(5_000)]
    public void SoftDrainTimeout_UpToTheHardOne_OrEitherInfinite_IsValid(int drainMilliseconds)
    {
        Assert.Empty(Validate(o =>
        {
            o.DrainTimeout = TimeSpan.FromMilliseconds(drainMilliseconds);
            o.SoftDrainTimeout = TimeSpan.FromSeconds(2);
        }));
        Assert.Empty(Validate(o =>
        {
            o.DrainTimeout = TimeSpan.FromSeconds(1);
            o.SoftDrainTimeout = Timeout.InfiniteTimeSpan;
        }));
    }

    [Fact]
    public void AFixedPreStop_IgnoresTheAdaptiveOnlyRules()
    {
        // Without PreStopQuietPeriod nothing reads these, so an app that set them as before still starts.
        Assert.Empty(Validate(o =>
        {
            o.PreStopDelay = TimeSpan.FromSeconds(20);
            o.PreStopMaxDelay = TimeSpan.Zero;
            o.PreStopIgnorePaths.Add("metrics");
        }));
    }

    [Fact]
    public void AnInvalidMaximum_IsReportedAlone_NotAlsoAsShorterThanTheDelay()
    {
        var errors = Validate(o =>
        {
            o.PreStopQuietPeriod = TimeSpan.FromMilliseconds(500);
            o.PreStopDelay = TimeSpan.FromSeconds(1);
            o.PreStopMaxDelay = TimeSpan.Zero;
        });

        Assert.Equal(["Graceful:PreStopMaxDelay must be a positive duration (was 0)."], errors);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("infinite")]
    public void QuietPeriod_MustBePositive(string quiet)
    {
        var errors = Validate(o => o.PreStopQuietPeriod = GracefulDuration.Parse(quiet));

        Assert.Equal([$"Graceful:PreStopQuietPeriod must be a positive duration (was {quiet})."], errors);
    }

    [Fact]
    public void OwnRules_NameTheKey_AndTheValueAsWritten()
    {
        var errors = Validate(o =>
        {
            o.HookTimeout = TimeSpan.FromSeconds(-1);
            o.IdleGrace = Timeout.InfiniteTimeSpan;
            o.DrainReadHeaderTimeout = TimeSpan.FromMinutes(11);
            o.RejectDuringDrainRetryAfter = TimeSpan.FromSeconds(-2);
            o.DeadlineExitCode = 0;
            o.Upgrade.Signal = "SIGKILL";
            o.Upgrade.ReadyTimeout = TimeSpan.Zero;
            o.Limits.WriteTimeout = TimeSpan.Zero;
            o.Limits.MaxHeaderBytes = 10;
        });

        Assert.Equal(
        [
            "Graceful:IdleGrace must be from 0 to 10m (was infinite): infinite would keep idle connections for ever.",
            "Graceful:RejectDuringDrainRetryAfter must be zero or a positive duration (was -2s).",
            "Graceful:DrainReadHeaderTimeout must be a positive duration up to 10m (was 11m): a connection that never completes a request must not hold the exit for ever.",
            "Graceful:HookTimeout must be a positive duration or infinite (was -1s).",
            "Graceful:DeadlineExitCode must be 1 to 255 (was 0): a cut drain must not look clean.",
            "Graceful:Upgrade:Signal must be SIGHUP, SIGUSR1 or SIGUSR2 (was 'SIGKILL').",
            "Graceful:Upgrade:ReadyTimeout must be a positive duration (was 0): a successor that never becomes ready must not block upgrades for ever.",
            "Graceful:Limits:WriteTimeout must be a positive duration or infinite (was 0).",
            "Graceful:Limits:MaxHeaderBytes must be at least 1024 (was 10).",
        ], errors);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("infinite")]
    [InlineData("11m")]
    public void CloseSpread_MustBeAPositiveDuration_UpToTenMinutes(string spread)
    {
        var errors = Validate(o => o.CloseSpread = GracefulDuration.Parse(spread));

        Assert.Equal([$"Graceful:CloseSpread must be a positive duration up to 10m (was {spread})."], errors);
    }

    [Fact]
    public void CloseSpread_AsLongAsTheDrainTimeout_IsValid() =>
        Assert.Empty(Validate(o =>
        {
            o.DrainTimeout = TimeSpan.FromSeconds(10);
            o.CloseSpread = TimeSpan.FromSeconds(10);
        }));

    [Fact]
    public void MaxConnectionAge_ItsJitterAndGrace_NameTheKey()
    {
        var errors = Validate(o =>
        {
            o.MaxConnectionAge = TimeSpan.Zero;
            o.MaxConnectionAgeJitter = TimeSpan.FromSeconds(-1);
            o.MaxConnectionAgeGrace = TimeSpan.Zero;
        });

        Assert.Equal(
        [
            "Graceful:MaxConnectionAge must be a positive duration (was 0).",
            "Graceful:MaxConnectionAgeJitter must be zero or a positive duration (was -1s).",
            "Graceful:MaxConnectionAgeGrace must be a positive duration or infinite (was 0).",
        ], errors);
    }

    [Fact]
    public void PathInAMissingFolder_NamesTheFolder()
    {
        var errors = Validate(o => o.ReportPath = "/no/such/folder/report.json");

        Assert.Equal(["Graceful:ReportPath: the folder '/no/such/folder' does not exist."], errors);
    }

    private static List<string> Validate(Action<GracefulOptions> configure)
    {
        var options = new GracefulOptions();
        configure(options);
        var result = new GracefulOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures] : [];
    }
}
