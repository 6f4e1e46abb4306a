using Graceful.AspNetCore;

namespace Graceful.Tests.Configuration;

public class GracefulDurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("00:00:05", 5_000)]
    [InlineData("0", 0)]
    public void Parse_AcceptsOperatorSyntax(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GracefulDuration.Parse(text));

    [Theory]
    [InlineData("infinite")]
    [InlineData("Infinite")]
    public void Parse_Infinite_IsInfiniteTimeSpan(string text) =>
        Assert.Equal(Timeout.InfiniteTimeSpan, GracefulDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("banana")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("-5s")]
    public void TryParse_RejectsWhatIsNotADuration(string text) =>
        Assert.False(GracefulDuration.TryParse(text, out _));

    [Fact]
    public void Parse_Rejection_SaysWhatIsAccepted()
    {
        var error = Assert.Throws<FormatException>(() => GracefulDuration.Parse("banana"));
        Assert.Contains("500ms", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(512, "512ms")]
    [InlineData(29_440, "29.44s")]
    [InlineData(125_000, "2m05s")]
    public void Format_ReadsLikeTheDemo(int milliseconds, string expected) =>
        Assert.Equal(expected, GracefulDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
