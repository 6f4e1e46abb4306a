using Graceful.AspNetCore;
using Graceful.AspNetCore.Configuration;

namespace Graceful.Tests.Configuration;

/// <summary>Defaults and values in errors are written the way an operator sets them, and read back unchanged.</summary>
public class OptionValuesTests
{
    [Theory]
    [InlineData(0d, "0")]
    [InlineData(500d, "500ms")]
    [InlineData(1_000d, "1s")]
    [InlineData(15_000d, "15s")]
    [InlineData(90_000d, "1m30s")]
    [InlineData(7_200_000d, "2h")]
    [InlineData(90_061_500d, "25h1m1s500ms")]
    [InlineData(1.5d, "1.5ms")]
    public void Setting_IsTheShortestOperatorText_AndParsesBack(double milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(expected, OptionValues.Setting(value));
        Assert.Equal(value, GracefulDuration.Parse(expected));
    }

    [Fact]
    public void Setting_OfInfinite_IsInfinite_AndANegativeValueKeepsItsSign()
    {
        Assert.Equal("infinite", OptionValues.Setting(Timeout.InfiniteTimeSpan));
        Assert.Equal("-2s", OptionValues.Setting(TimeSpan.FromSeconds(-2)));
        Assert.StartsWith("-", OptionValues.Setting(TimeSpan.MinValue), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEnumValue_AcceptsItsNamesInAnyCase_AndRefusesNumbersOutsideIt()
    {
        var value = OptionValues.OneOf<PreStopConnectionClose>();

        Assert.True(value.TryParse("fromstart", out var parsed));
        Assert.Equal(PreStopConnectionClose.FromStart, parsed);
        Assert.False(value.TryParse("42", out _));
        Assert.Equal("None, AfterDelay or FromStart", value.Expected);
    }
}
