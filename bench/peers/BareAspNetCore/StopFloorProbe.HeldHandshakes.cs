using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

/// <summary>
/// --stop-floor-probe --held-handshakes: the probe, plus the least a stop must do so that closing a listener loses no
/// connection whose handshake the kernel holds (issue 18; "no request is lost" is one of issue 17's limits). Before
/// Kestrel closes a listener: a classic BPF filter that drops new SYNs, then one netlink dump of the handshakes under way
/// (SYN_RECV) on its port, repeated every 5 ms until none is left and the accept queue is empty (at most 2 s). Written
/// apart from Graceful's NewHandshakeFilter and SocketDiag on purpose: the probe stands for a stop without Graceful.
/// IPv4 listeners only, which is what bench/Drain binds.
/// </summary>
internal static partial class StopFloorProbe
{
    private static readonly TimeSpan HandshakeWait = TimeSpan.FromSeconds(2);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint send(int socket, void* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int socket, void* buffer, nuint length, int flags);

    [LibraryImport("libc")]
    private static partial int close(int descriptor);

    // Drops segments with SYN set and ACK clear: ldb [13]; and #0x12; jeq #0x02 ? drop : accept.
    private static readonly ulong[] NoNewHandshakes =
    [
        0x0000000D_00000030, // BPF_LD | BPF_B | BPF_ABS, k = 13
        0x00000012_00000054, // BPF_ALU | BPF_AND | BPF_K, k = 0x12
        0x00000002_01000015, // BPF_JMP | BPF_JEQ | BPF_K, jt 0, jf 1, k = 2
        0x00000000_00000006, // BPF_RET, k = 0: drop
        0xFFFFFFFF_00000006, // BPF_RET, k = all: accept
    ];

    /// <summary>Closes <paramref name="listener"/> to new handshakes and waits until the ones under way have been accepted.</summary>
    public static async Task WaitForHeldHandshakesAsync(Socket listener)
    {
        if (listener.LocalEndPoint is not IPEndPoint { AddressFamily: AddressFamily.InterNetwork } endpoint)
        {
            return;
        }

        AttachFilter(listener);
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < HandshakeWait && (HandshakesUnderWay(endpoint.Port) > 0 || listener.Poll(0, SelectMode.SelectRead)))
        {
            await Task.Delay(5);
        }
    }

    private static unsafe void AttachFilter(Socket listener)
    {
        fixed (ulong* instructions = NoNewHandshakes)
        {
            // struct sock_fprog: the count, padded, then the pointer.
            var program = stackalloc nint[2];
            program[0] = NoNewHandshakes.Length;
            program[1] = (nint)instructions;
            listener.SetRawSocketOption(1, 26, new ReadOnlySpan<byte>(program, 2 * sizeof(nint))); // SOL_SOCKET, SO_ATTACH_FILTER
        }
    }

    // One inet_diag dump of AF_INET TCP sockets in SYN_RECV, counted on the local port; -1 if the kernel did not answer.
    private static unsafe int HandshakesUnderWay(int port)
    {
        var descriptor = socket(16, 3 | 0x80000, 4); // AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG
        if (descriptor < 0)
        {
            return -1;
        }

        try
        {
            // struct nlmsghdr (SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP), then struct inet_diag_req_v2.
            var request = stackalloc byte[72];
            new Span<byte>(request, 72).Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(request, 4), 72);
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(request + 4, 2), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(request + 6, 2), 0x301);
            request[16] = 2; // AF_INET
            request[17] = 6; // IPPROTO_TCP
            BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(request + 20, 4), 1u << 3); // TCP_SYN_RECV
            if (send(descriptor, request, 72, 0) != 72)
            {
                return -1;
            }

            var buffer = new byte[32 * 1024];
            var count = 0;
            while (true)
            {
                nint received;
                fixed (byte* start = buffer)
                {
                    received = recv(descriptor, start, (nuint)buffer.Length, 0);
                }

                if (received <= 0)
                {
                    return -1;
                }

                for (var offset = 0; offset + 16 <= received;)
                {
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));
                    var type = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 4));
                    if (type is 2 or 3 || length < 16) // NLMSG_ERROR, NLMSG_DONE
                    {
                        return type == 3 ? count : -1;
                    }

                    // struct inet_diag_msg: family, state, timer, retransmits, then the source port (big-endian).
                    if (BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(offset + 20)) == port)
                    {
                        count++;
                    }

                    offset += (length + 3) & ~3;
                }
            }
        }
        finally
        {
            _ = close(descriptor);
        }
    }
}
