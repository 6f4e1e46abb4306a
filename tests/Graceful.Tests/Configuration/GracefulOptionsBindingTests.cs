using System.Collections;
using System.Globalization;
using System.Reflection;
using Graceful.AspNetCore;
using Graceful.AspNetCore.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Graceful.Tests.Configuration;

/// <summary>Every option binds from its own key, and only that option; bad text fails naming the full key.</summary>
public class GracefulOptionsBindingTests
{
    public static TheoryData<string> Keys => [.. GracefulOptionsDeclaration.Table.Descriptors.Select(d => d.Key)];

    [Fact]
    public void EveryPublicOption_HasADescriptor_AndNoDescriptorIsLeftOver()
    {
        var properties = OptionKeys(typeof(GracefulOptions), "").Order(StringComparer.Ordinal);
        var declared = GracefulOptionsDeclaration.Table.Descriptors.Select(d => d.Key).Order(StringComparer.Ordinal);

        Assert.Equal(properties, declared);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void EachKey_SetsItsOwnProperty_AndNoOther(string key)
    {
        var defaults = Snapshot(new GracefulOptions());
        var property = PropertyAt(key);
        var settings = SampleSettings(key, property, defaults[key]);

        var bound = Snapshot(Bind(settings));

        var changed = bound.Where(p => defaults[p.Key] != p.Value).Select(p => p.Key);
        Assert.Equal([key], changed);
    }

    [Fact]
    public void OperatorSyntax_IsBound()
    {
        var options = Bind(new()
        {
            ["Graceful:DrainTimeout"] = "1m30s",
            ["Graceful:SoftDrainTimeout"] = "500ms",
            ["Graceful:HookTimeout"] = "infinite",
            ["Graceful:Limits:ReadTimeout"] = "00:00:05",
            ["Graceful:PreStopCloseConnections"] = "afterdelay",
            ["Graceful:Upgrade:Command:1"] = "--serve",
            ["Graceful:Upgrade:Command:0"] = "/usr/bin/app",
        });

        Assert.Equal(TimeSpan.FromSeconds(90), options.DrainTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.SoftDrainTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.HookTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Limits.ReadTimeout);
        Assert.Equal(PreStopConnectionClose.AfterDelay, options.PreStopCloseConnections);
        Assert.Equal(["/usr/bin/app", "--serve"], options.Upgrade.Command);
    }

    [Fact]
    public void EmptyPath_LeavesTheDefault_ButAnEmptyDurationIsAnError()
    {
        var options = Bind(new() { ["Graceful:PidFile"] = "" });
        Assert.Null(options.PidFile);

        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Graceful:DrainTimeout"] = "" }));
        Assert.Equal(["Graceful:DrainTimeout: '' is not " + GracefulDuration.Syntax + "."], error.Failures);
    }

    [Fact]
    public void EveryBadValue_IsReportedTogether_EachWithItsKey()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new()
        {
            ["Graceful:DrainTimeout"] = "banana",
            ["Graceful:IgnoreSighup"] = "yes",
            ["Graceful:DeadlineExitCode"] = "one",
            ["Graceful:PreStopCloseConnections"] = "7",
            ["Graceful:Limits:MaxHeaderBytes"] = "1MiB",
        }));

        Assert.Equal(
        [
            "Graceful:PreStopCloseConnections: '7' is not None, AfterDelay or FromStart.",
            "Graceful:DrainTimeout: 'banana' is not " + GracefulDuration.Syntax + ".",
            "Graceful:IgnoreSighup: 'yes' is not true or false.",
            "Graceful:DeadlineExitCode: 'one' is not a whole number.",
            "Graceful:Limits:MaxHeaderBytes: '1MiB' is not a whole number.",
        ], error.Failures);
    }

    private static GracefulOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new GracefulOptions();
        new GracefulOptionsBinder(configuration).Configure(options);
        return options;
    }

    // A value for the key that differs from its default, in the syntax configuration uses.
    private static Dictionary<string, string?> SampleSettings(string key, PropertyInfo property, string defaultText)
    {
        var full = "Graceful:" + key;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type == typeof(IList<string>))
        {
            return new() { [full + ":0"] = "/a", [full + ":1"] = "/b" };
        }

        var text = type == typeof(TimeSpan) ? "7s"
            : type == typeof(bool) ? (defaultText == "True" ? "false" : "true")
            : type == typeof(int) ? "2048"
            : type == typeof(PreStopConnectionClose) ? nameof(PreStopConnectionClose.FromStart)
            : type == typeof(string) ? "SIGUSR2"
            : throw new InvalidOperationException($"No sample value for {key} ({type})");
        return new() { [full] = text };
    }

    // Every option's value as text, by key.
    private static Dictionary<string, string> Snapshot(GracefulOptions options) =>
        GracefulOptionsDeclaration.Table.Descriptors.Select(d => d.Key).ToDictionary(key => key, key => Describe(ValueAt(options, key)));

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => text,
        IEnumerable items => string.Join(",", items.Cast<object>()),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static object? ValueAt(object options, string key)
    {
        object? value = options;
        foreach (var name in key.Split(':'))
        {
            value = value!.GetType().GetProperty(name)!.GetValue(value);
        }

        return value;
    }

    private static PropertyInfo PropertyAt(string key)
    {
        var type = typeof(GracefulOptions);
        PropertyInfo? property = null;
        foreach (var name in key.Split(':'))
        {
            property = type.GetProperty(name) ?? throw new InvalidOperationException($"{key}: no property {name} on {type}");
            type = property.PropertyType;
        }

        return property!;
    }

    // The keys the public options classes offer: nested options classes are sections, everything else is a key.
    private static IEnumerable<string> OptionKeys(Type type, string prefix) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).SelectMany(p =>
            p.PropertyType == typeof(UpgradeOptions) || p.PropertyType == typeof(Graceful.AspNetCore.Limits.ServerLimitsOptions)
                ? OptionKeys(p.PropertyType, prefix + p.Name + ":")
                : new[] { prefix + p.Name });
}
