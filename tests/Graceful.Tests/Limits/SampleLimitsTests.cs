using System.Text;

namespace Graceful.Tests.Limits;

/// <summary>The sample asks for Go's 1 MiB header limit explicitly, as the Go demo does (<c>MaxHeaderBytes: 1 &lt;&lt; 20</c>).</summary>
public class SampleLimitsTests
{
    [Fact]
    public async Task SlowService_Answers200For100KiBOfHeaders_431For2MiB_And400ForGarbage()
    {
        await using var service = await SlowService.StartAsync();

        Assert.Equal(200, await StatusForAsync(service, $"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 100 * 1024)}\r\n\r\n"));
        Assert.Equal(431, await StatusForAsync(service, $"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 2 * 1024 * 1024)}\r\n\r\n"));
        Assert.Equal(400, await StatusForAsync(service, "\x01\x02garbage that is no request line\r\n\r\n"));
    }

    private static async Task<int> StatusForAsync(ServiceProcess service, string request)
    {
        using var connection = await RawHttpConnection.ConnectAsync(service.BaseAddress);
        // The server answers as soon as it has seen too much, and may close before the rest is sent.
        var sending = connection.SendAsync(Encoding.ASCII.GetBytes(request));
        var response = await connection.ReadResponseAsync();
        try
        {
            await sending;
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The server closed after its answer; the answer is what counts.
        }

        return response.StatusCode;
    }
}
