using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Graceful.AspNetCore.Transport.Listeners;

namespace Graceful.Benchmarks;

/// <summary>
/// One look for handshakes under way at the stop, with <see cref="Connections"/> loopback connections open (twice as many
/// sockets in the kernel's table, as a server holding that many idle clients on the same host): the inet_diag dump
/// against the /proc tables it replaced. Linux; needs an open-file limit above twice <see cref="Connections"/>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class PendingHandshakesBenchmarks
{
    private readonly List<Socket> _sockets = [];
    private IPEndPoint[] _ports = [];

    [Params(8000)]
    public int Connections { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        _sockets.Add(listener);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        _ports = [endpoint];
        for (var i = 0; i < Connections; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(endpoint);
            _sockets.Add(client);
            _sockets.Add(listener.Accept());
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    [Benchmark(Baseline = true)]
    public int Proc() => PendingHandshakes.CountInProc(_ports);

    [Benchmark]
    public int? Netlink() => PendingHandshakes.CountByNetlink(_ports);
}
