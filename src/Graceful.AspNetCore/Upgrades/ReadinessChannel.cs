using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Graceful.AspNetCore.Platform;

namespace Graceful.AspNetCore.Upgrades;

/// <summary>
/// The private line on which a successor says it is serving: a Unix socket pair, one end kept by the predecessor,
/// the other passed to the successor alone. Nothing on the file system or the network, so no other process can
/// report readiness or learn of the hand-over; and when the successor dies, its end closes and the predecessor
/// reads the end of the stream instead of waiting out its timeout.
/// </summary>
internal sealed class ReadinessChannel : IDisposable
{
    private const string ReadyPrefix = "READY ";
    private readonly Socket _ours;

    private ReadinessChannel(Socket ours, int successorDescriptor)
    {
        _ours = ours;
        SuccessorDescriptor = successorDescriptor;
    }

    /// <summary>The successor's end, close-on-exec here; pass it to the successor, then call <see cref="ReleaseSuccessorEnd"/>.</summary>
    public int SuccessorDescriptor { get; private set; }

    public static unsafe ReadinessChannel Create()
    {
        var pair = stackalloc int[2];
        if (Libc.SocketPair(Libc.UnixDomain, Libc.SequencedPacket | Libc.SocketCloseOnExec, 0, pair) != 0)
        {
            throw new InvalidOperationException($"socketpair failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        return new ReadinessChannel(new Socket(new SafeSocketHandle(pair[0], ownsHandle: true)), pair[1]);
    }

    /// <summary>Closes this process's copy of the successor's end, so the successor's exit ends the stream.</summary>
    public void ReleaseSuccessorEnd()
    {
        if (SuccessorDescriptor >= 0)
        {
            _ = Libc.Close(SuccessorDescriptor);
            SuccessorDescriptor = -1;
        }
    }

    /// <summary>The process id the successor reports once it serves, or null if it closed the channel first.</summary>
    public async Task<int?> WaitForReadyAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64];
        var received = await _ours.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        var message = Encoding.ASCII.GetString(buffer, 0, received);
        return message.StartsWith(ReadyPrefix, StringComparison.Ordinal)
            && int.TryParse(message.AsSpan(ReadyPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
    }

    /// <summary>The successor's side: reports this process as serving and closes the channel.</summary>
    public static void AnnounceReady(int descriptor)
    {
        using var channel = new Socket(new SafeSocketHandle(descriptor, ownsHandle: true));
        channel.Send(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{ReadyPrefix}{Environment.ProcessId}")));
    }

    public void Dispose()
    {
        ReleaseSuccessorEnd();
        _ours.Dispose();
    }
}
