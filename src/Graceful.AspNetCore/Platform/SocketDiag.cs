using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Graceful.AspNetCore.Platform;

/// <summary>
/// Counts this network namespace's TCP sockets in one state on given local ports by asking the kernel over
/// NETLINK_SOCK_DIAG (inet_diag, as <c>ss</c> does). The kernel walks its socket tables and returns only the sockets in
/// that state, where <c>/proc/net/tcp</c> formats every socket as a line of text: tens of milliseconds with tens of
/// thousands of connections open. Linux only; unprivileged (a dump, not a destroy).
/// </summary>
internal static unsafe class SocketDiag
{
    private const ushort ByFamily = 20; // SOCK_DIAG_BY_FAMILY
    private const ushort RequestDump = 0x1 | 0x300; // NLM_F_REQUEST | NLM_F_DUMP
    private const ushort Error = 2; // NLMSG_ERROR
    private const ushort Done = 3; // NLMSG_DONE
    private const byte Tcp = 6; // IPPROTO_TCP
    private const int HeaderSize = 16; // struct nlmsghdr

    // The kernel never fills more than 32 KiB into one dump message (it caps what it learns of the reader's buffer there).
    private const int BufferSize = 32 * 1024;

    private static int s_sequence;

    /// <summary>
    /// The number of TCP sockets of <paramref name="family"/> (AF_INET 2, AF_INET6 10) in <paramref name="state"/> (the
    /// kernel's TCP_* number) whose local port is one of <paramref name="localPorts"/>; null where the kernel did not
    /// answer in full (no netlink or inet_diag, a seccomp filter, an error): the caller then knows nothing.
    /// </summary>
    public static int? Count(int family, int state, int[] localPorts)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var descriptor = Libc.Socket(Libc.Netlink, Libc.Raw | Libc.SocketCloseOnExec, Libc.NetlinkSocketDiag);
        if (descriptor < 0)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var sequence = (uint)Interlocked.Increment(ref s_sequence);
            var request = new DumpRequest
            {
                Length = (uint)sizeof(DumpRequest),
                Type = ByFamily,
                Flags = RequestDump,
                Sequence = sequence,
                Family = (byte)family,
                Protocol = Tcp,
                States = 1u << state,
            };
            if (Libc.Send(descriptor, &request, (nuint)sizeof(DumpRequest), 0) != sizeof(DumpRequest))
            {
                return null;
            }

            return CountReplies(descriptor, buffer, sequence, state, localPorts);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _ = Libc.Close(descriptor);
        }
    }

    // The kernel queues the dump's first part during the send and each next part during the recv that takes the one
    // before, so every recv finds a message waiting: one that would block means the answer is not what this expects.
    private static int? CountReplies(int descriptor, byte[] buffer, uint sequence, int state, int[] localPorts)
    {
        var count = 0;
        while (true)
        {
            nint received;
            fixed (byte* start = buffer)
            {
                received = Libc.Receive(descriptor, start, BufferSize, Libc.DontWait | Libc.Truncate);
            }

            if (received <= 0 || received > BufferSize)
            {
                return null;
            }

            var messages = buffer.AsSpan(0, (int)received);
            while (messages.Length >= HeaderSize)
            {
                var length = BinaryPrimitives.ReadUInt32LittleEndian(messages);
                var type = BinaryPrimitives.ReadUInt16LittleEndian(messages[4..]);
                if (length < HeaderSize || length > messages.Length
                    || BinaryPrimitives.ReadUInt32LittleEndian(messages[8..]) != sequence)
                {
                    return null;
                }

                var payload = messages[HeaderSize..(int)length];
                switch (type)
                {
                    // NLMSG_DONE carries the dump's outcome: 0, or a negative errno.
                    case Done:
                        return payload.Length >= 4 && BinaryPrimitives.ReadInt32LittleEndian(payload) < 0 ? null : count;
                    case Error:
                        return null;
                    case ByFamily when IsInStateOn(payload, state, localPorts):
                        count++;
                        break;
                }

                messages = messages[Math.Min(messages.Length, (int)(length + 3) & ~3)..];
            }
        }
    }

    // struct inet_diag_msg: family, state, timer, retransmits, then inet_diag_sockid, whose source port comes first,
    // in network byte order.
    private static bool IsInStateOn(ReadOnlySpan<byte> message, int state, int[] localPorts) =>
        message.Length >= 6 && message[1] == state
        && Array.IndexOf(localPorts, (int)BinaryPrimitives.ReadUInt16BigEndian(message[4..])) >= 0;

    // struct nlmsghdr, then struct inet_diag_req_v2 with inet_diag_sockid left zero: any address, port, interface.
    [StructLayout(LayoutKind.Sequential)]
    private struct DumpRequest
    {
        public uint Length;
        public ushort Type;
        public ushort Flags;
        public uint Sequence;
        public uint PortId;
        public byte Family;
        public byte Protocol;
        public byte Extensions;
        public byte Padding;
        public uint States;
        public fixed byte Socket[48];
    }
}
