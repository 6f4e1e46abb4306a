namespace Graceful.Tests.Drill;

/// <summary>The arithmetic of the fuzz run's loss bound: the rule of three without losses, Clopper-Pearson with them.</summary>
public class LossBoundTests
{
    [Theory]
    [InlineData(200, 0.015)]   // the rule of three: 3/N
    [InlineData(300, 0.010)]
    [InlineData(1000, 0.003)]
    public void NoLossInNTrials_IsTheRuleOfThree(long trials, double expected)
    {
        Assert.Equal(expected, LossBound.Upper(0, trials), 4);
        Assert.Equal("rule of three", LossBound.Method(0));
    }

    [Theory]
    // One-sided 95 % Clopper-Pearson upper bounds (the beta distribution's 0.95 quantile, Beta(k + 1, n - k)).
    [InlineData(1, 10, 0.39416)]
    [InlineData(1, 100, 0.04656)]
    [InlineData(4, 200, 0.04518)]
    [InlineData(5, 50, 0.19883)]
    [InlineData(3, 8, 0.71076)]
    public void KLossesInNTrials_IsClopperPearson(long losses, long trials, double expected)
    {
        Assert.Equal(expected, LossBound.Upper(losses, trials), 4);
        Assert.Equal("Clopper-Pearson", LossBound.Method(losses));
    }

    [Fact]
    public void TheBound_RisesWithLosses_AndFallsWithTrials()
    {
        Assert.True(LossBound.Upper(1, 200) > LossBound.Upper(0, 200));
        Assert.True(LossBound.Upper(2, 200) > LossBound.Upper(1, 200));
        Assert.True(LossBound.Upper(1, 400) < LossBound.Upper(1, 200));
        // A bound is never below the rate observed.
        Assert.True(LossBound.Upper(30, 100) > 0.30);
    }

    [Theory]
    [InlineData(0, 0, 1.0)]    // no trial proves nothing
    [InlineData(2, 2, 1.0)]    // every trial lost
    [InlineData(0, 2, 1.0)]    // 3/2 is capped
    public void Limits_AreOne(long losses, long trials, double expected) => Assert.Equal(expected, LossBound.Upper(losses, trials));

    [Fact]
    public void MoreLossesThanTrials_IsAnError() => Assert.Throws<ArgumentOutOfRangeException>(() => LossBound.Upper(3, 2));
}
