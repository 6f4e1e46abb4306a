using Graceful.AspNetCore.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static Graceful.AspNetCore.Configuration.OptionRules;
using static Graceful.AspNetCore.Configuration.OptionValues;

namespace Graceful.Tests.Configuration;

/// <summary>
/// A new option needs one descriptor and nothing else: this fixture's table is bound from configuration, validated at
/// a real host's start and documented by the same machinery as Graceful's own, without touching another file.
/// </summary>
public class OptionTableFixtureTests
{
    [Fact]
    public async Task ADescriptor_IsBound_ThroughAHost()
    {
        using var host = BuildHost(new() { ["Fixture:Timeout"] = "1m30s", ["Fixture:Retries"] = "7", ["Fixture:Hosts:0"] = "a", ["Fixture:Hosts:1"] = "b" });

        await host.StartAsync(TestContext.Current.CancellationToken);
        var options = host.Services.GetRequiredService<IOptions<FixtureOptions>>().Value;
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromSeconds(90), options.Timeout);
        Assert.Equal(7, options.Retries);
        Assert.Equal(["a", "b"], options.Hosts);
    }

    [Theory]
    [InlineData("Fixture:Timeout", "soon", "Fixture:Timeout: 'soon' is not a duration")]
    [InlineData("Fixture:Timeout", "0", "Fixture:Timeout must be a positive duration or infinite (was 0).")]
    [InlineData("Fixture:Retries", "11", "Fixture:Retries must be 0 to 10 (was 11).")]
    public async Task ABadValue_FailsTheStart_NamingItsKey(string key, string value, string expected)
    {
        using var host = BuildHost(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARuleBetweenItsOptions_FailsTheStart_NamingItsKey()
    {
        using var host = BuildHost(new() { ["Fixture:Timeout"] = "infinite", ["Fixture:Retries"] = "2" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(["Fixture:Retries (2) must be 0 when Fixture:Timeout is infinite."], error.Failures);
    }

    [Fact]
    public void ADescriptor_IsDocumented()
    {
        Assert.Equal(
            """
            | key | default | accepts | what it bounds |
            |---|---|---|---|
            | `Fixture:Timeout` | `2s` | a positive duration or `infinite` | How long the fixture waits. |
            | `Fixture:Retries` | `3` | a whole number from `0` to `10` | How often the fixture tries again. |
            | `Fixture:Hosts:0`, `:1`, ... | none | host names | Where the fixture connects. |

            Between options, also checked at start:

            - `Retries` must be `0` when `Timeout` is `infinite`.

            """.ReplaceLineEndings("\n"),
            OptionsMarkdown.Table(FixtureDeclaration.Table));
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddOptions<FixtureOptions>().ValidateOnStart();
        builder.Services.AddSingleton<IConfigureOptions<FixtureOptions>>(
            sp => new OptionTableBinder<FixtureOptions>(sp.GetRequiredService<IConfiguration>(), FixtureDeclaration.Table));
        builder.Services.AddSingleton<IValidateOptions<FixtureOptions>>(new OptionTableValidator<FixtureOptions>(FixtureDeclaration.Table));
        return builder.Build();
    }

    internal sealed class FixtureOptions
    {
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

        public int Retries { get; set; } = 3;

        public IList<string> Hosts { get; } = [];
    }

    private sealed class FixtureDeclaration : OptionDeclarations<FixtureOptions>
    {
        private FixtureDeclaration()
        {
        }

        public static OptionTable<FixtureOptions> Table { get; } = new("Fixture",
        [
            Value("Timeout", Duration, o => o.Timeout, (o, v) => o.Timeout = v, PositiveOrInfinite, "How long the fixture waits."),
            Value("Retries", WholeNumber, o => o.Retries, (o, v) => o.Retries = v, Between(0, 10), "How often the fixture tries again."),
            List("Hosts", o => o.Hosts, "host names", "Where the fixture connects."),
        ],
        [
            Rule("Retries", "`Retries` must be `0` when `Timeout` is `infinite`.",
                static (o, s) => ErrorIf(o.Timeout == System.Threading.Timeout.InfiniteTimeSpan && o.Retries != 0,
                    () => $"{s}:Retries ({o.Retries}) must be 0 when {s}:Timeout is infinite.")),
        ]);
    }
}
