using static Graceful.Tests.GracefulEvents;

namespace Graceful.Tests.Hosting;

/// <summary>
/// <c>UseSystemd()</c>/<c>AddSystemd()</c> register <c>SystemdLifetime</c> as the host's lifetime under systemd; the last
/// lifetime registered wins. HostileApp registers it before or after <c>AddGraceful()</c> (Hostile:Systemd). Either way
/// the stop budget is logged at start, the drain's deadline sets the exit code, and the exit line is logged; after
/// <c>AddGraceful()</c>, one warning says Graceful took over beside the other lifetime. Lines are matched by event id.
/// The stop budget is StopBudget (41) when bounded, as here; StopBudgetUnbounded (42) otherwise.
/// </summary>
public class SystemdLifetimeOrderTests
{
    [Theory]
    [InlineData("before")]
    [InlineData("after")]
    public async Task EitherOrder_KeepsTheBudgetLine_TheDeadlineExitCode_AndTheExitLine(string order)
    {
        await using var service = await HostileApp.StartAsync(new Dictionary<string, string>
        {
            ["Hostile__Systemd"] = order,
            ["Graceful__DrainTimeout"] = "1s",
        });
        using var slow = await service.StartSlowRequestAsync(TimeSpan.FromMinutes(1));

        service.Signal(Signals.SIGTERM);

        Assert.Equal(1, await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Single(service.Events(StopBudget));
        Assert.Single(service.Events(Exited));
        Assert.Equal(order == "after" ? 1 : 0, service.Events(ForeignLifetime).Count);
    }
}
