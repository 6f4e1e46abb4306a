using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Graceful.AspNetCore.Transport.Listeners;

/// <summary>
/// Stops the kernel from starting new handshakes on a listening TCP socket without closing it (Linux): a classic BPF
/// socket filter that drops segments with SYN set and ACK clear. Linux runs a listener's filter (<c>tcp_filter</c>, in
/// <c>tcp_v4_rcv</c>/<c>tcp_v6_rcv</c>) on every segment for it, with the packet's data at the TCP header, both for the
/// listener itself and for its handshakes under way (request sockets): so the final ACK, or data, of a handshake the
/// kernel already answered still completes it, and only a client's first SYN (or its retransmission) is dropped. That
/// client retransmits later and is refused once the socket closes, before it could send anything.
/// </summary>
/// <remarks>
/// The filter belongs to the socket, not to this process's descriptor: never attach it to a socket another process
/// listens on (a successor, systemd).
/// </remarks>
internal static class NewHandshakeFilter
{
    private const int SocketLevel = 1; // SOL_SOCKET
    private const int AttachFilter = 26; // SO_ATTACH_FILTER

    // ldb [13] (TCP flags); and #(SYN|ACK); jeq #SYN ? drop : accept. Returning 0 drops, 0xFFFFFFFF keeps the whole segment.
    private static readonly Instruction[] Program =
    [
        new(0x30, 0, 0, 13), // BPF_LD | BPF_B | BPF_ABS
        new(0x54, 0, 0, 0x12), // BPF_ALU | BPF_AND | BPF_K
        new(0x15, 0, 1, 0x02), // BPF_JMP | BPF_JEQ | BPF_K
        new(0x06, 0, 0, 0), // BPF_RET | BPF_K: drop
        new(0x06, 0, 0, uint.MaxValue), // BPF_RET | BPF_K: accept
    ];

    /// <summary>Attaches the filter; false where it cannot (not Linux, not a TCP socket, or the kernel refused).</summary>
    public static unsafe bool TryAttach(Socket socket)
    {
        if (!OperatingSystem.IsLinux() || socket.ProtocolType != ProtocolType.Tcp
            || socket.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }

        try
        {
            // The kernel copies the program during the call: the pinned array need not outlive it.
            fixed (Instruction* instructions = Program)
            {
                var program = new SocketFilterProgram { Length = (ushort)Program.Length, Instructions = instructions };
                socket.SetRawSocketOption(SocketLevel, AttachFilter, new ReadOnlySpan<byte>(&program, sizeof(SocketFilterProgram)));
            }

            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    // struct sock_filter
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Instruction(ushort code, byte jumpIfTrue, byte jumpIfFalse, uint constant)
    {
        public readonly ushort Code = code;
        public readonly byte JumpIfTrue = jumpIfTrue;
        public readonly byte JumpIfFalse = jumpIfFalse;
        public readonly uint Constant = constant;
    }

    // struct sock_fprog
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SocketFilterProgram
    {
        public ushort Length;
        public Instruction* Instructions;
    }
}
