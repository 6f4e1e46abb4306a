using System.Diagnostics;

namespace Graceful.Tests.Drill;

/// <summary>The HTML report as a person sees it: opened in headless Chromium, the screenshot shows the timeline plot.</summary>
public class DrillHtmlReportTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task HtmlReport_OpenedInChromium_ShowsTheTimelineWithOkAndLostBars()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is missing: install Debian's chromium package (.ci/run does) to check the HTML report in a browser.");
        }

        using var drill = await GracefulDrill.RunAsync("signal", "--signal", "TERM@1s", "--rate", "150", "-c", "24", "--tail", "300ms",
            "--request", "60 GET /ping", "--request", "40 GET /slow", "--max-lost", "1000000",
            "--", "dotnet", GracefulDrill.TestServerDll, "reset", "--urls", "http://127.0.0.1:0");
        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.True(drill.Count("lost") > 0, drill.ToString());

        var screenshot = Path.Combine(drill.Folder, "screenshot.png");
        var chromium = Process.Start(new ProcessStartInfo(Chromium,
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--screenshot={screenshot}", "--window-size=1500,1200", new Uri(drill.HtmlPath).AbsoluteUri])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using (chromium)
        {
            var output = chromium.StandardError.ReadToEndAsync();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await chromium.WaitForExitAsync(bound.Token);
            Assert.True(File.Exists(screenshot), $"Chromium wrote no screenshot (exit {chromium.ExitCode}):\n{await output}");
        }

        var pixels = PngPixels.Read(screenshot);
        Assert.Equal((1500, 1200), (pixels.Width, pixels.Height));
        // The page's swatches are 12x12 pixels each; only the plot's bars cover thousands of pixels per colour.
        var green = pixels.Count("#2CA02C");
        var red = pixels.Count("#D62728");
        Assert.True(green > 5000, $"ok bars: {green} green pixels");
        Assert.True(red > 300, $"lost bars (the verdict is PASSED, so not its banner): {red} red pixels");
    }
}
