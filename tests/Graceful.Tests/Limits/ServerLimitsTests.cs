using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Graceful.Tests.Limits;

/// <summary>Go-style limits: each ends in something the client can see, never a silently eaten response.</summary>
public class ServerLimitsTests
{
    private static void MapRoutes(WebApplication app)
    {
        app.MapGet("/ping", () => "pong");
        app.MapGet("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
            return "late";
        });
        app.MapGet("/stubborn", async (HttpContext context) =>
        {
            // Ignores RequestAborted, then tries to answer anyway.
            await Task.Delay(TimeSpan.FromSeconds(2));
            await context.Response.WriteAsync("late");
        });
        app.MapPost("/upload", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            return (await reader.ReadToEndAsync()).Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    [Fact]
    public async Task HeadersOverMaxHeaderBytes_Get431()
    {
        await using var app = await TestApp.StartAsync(MapRoutes, o => o.Limits.MaxHeaderBytes = 4096);
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress);

        await connection.SendGetAsync("/ping", $"X-Big: {new string('a', 8000)}\r\n");

        Assert.Equal(431, (await connection.ReadResponseAsync()).StatusCode);
    }

    [Fact]
    public async Task SlowHeaderSender_IsCutWithin_ReadHeaderTimeout()
    {
        await using var app = await TestApp.StartAsync(MapRoutes, o => o.Limits.ReadHeaderTimeout = TimeSpan.FromSeconds(1));
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress);
        var sent = Stopwatch.StartNew();

        await connection.SendAsync("GET /ping HTTP/1.1\r\nHost: test\r\n");

        // Kestrel answers a started request with 408 and closes; its heartbeat checks once a second.
        var response = await connection.ReadResponseAsync();
        Assert.Equal(408, response.StatusCode);
        Assert.InRange(sent.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task HandlerSlowerThanWriteTimeout_ClientGets504_NotAnEmptyReply()
    {
        await using var app = await TestApp.StartAsync(MapRoutes, o => o.Limits.WriteTimeout = TimeSpan.FromMilliseconds(500));
        using var client = app.CreateClient();
        var sent = Stopwatch.StartNew();

        using var response = await client.GetAsync("/slow");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("write timeout", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(response.Headers.ConnectionClose);
        Assert.InRange(sent.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
        var logged = Assert.Single(app.Logs.Events("WriteTimeout"));
        Assert.Equal(("GET", "/slow", "500ms"), (logged["Method"], logged["Path"], logged["WriteTimeout"]));
    }

    [Fact]
    public async Task HandlerIgnoringCancellation_StillGives504AtTheWriteTimeout_AndItsLateWriteIsDiscarded()
    {
        await using var app = await TestApp.StartAsync(MapRoutes, o => o.Limits.WriteTimeout = TimeSpan.FromMilliseconds(300));
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress);
        var sent = Stopwatch.StartNew();

        await connection.SendGetAsync("/stubborn");
        var response = await connection.ReadResponseAsync();

        Assert.Equal(504, response.StatusCode);
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(1.8), $"answered at the timeout, not after the handler ({sent.Elapsed})");
        Assert.DoesNotContain("late", response.Body, StringComparison.Ordinal);
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task FastHandler_IsUntouchedByWriteTimeout()
    {
        await using var app = await TestApp.StartAsync(MapRoutes, o => o.Limits.WriteTimeout = TimeSpan.FromMilliseconds(500));
        using var client = app.CreateClient();

        Assert.Equal("pong", await client.GetStringAsync("/ping"));
    }

    [Fact]
    public async Task BodySlowerThanReadTimeout_Gets408()
    {
        await using var app = await TestApp.StartAsync(MapRoutes, o => o.Limits.ReadTimeout = TimeSpan.FromMilliseconds(500));
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress);

        await connection.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123456789");

        Assert.Equal(408, (await connection.ReadResponseAsync()).StatusCode);
    }

    [Fact]
    public async Task BodyWithinReadTimeout_IsRead()
    {
        await using var app = await TestApp.StartAsync(MapRoutes, o => o.Limits.ReadTimeout = TimeSpan.FromSeconds(5));
        using var connection = await RawHttpConnection.ConnectAsync(app.BaseAddress);

        await connection.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n0123456789");
        var response = await connection.ReadResponseAsync();

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("10", response.Body);
    }
}
