using System.Runtime.InteropServices;

namespace Graceful.AspNetCore.Platform;

/// <summary>The few POSIX calls .NET has no API for: descriptor flags, socket pairs, spawning with chosen descriptors, a socket's queues, closing a descriptor's file in place, netlink.</summary>
internal static unsafe partial class Libc
{
    public const int SetDescriptorFlags = 2; // F_SETFD
    public const int CloseOnExec = 1; // FD_CLOEXEC
    public const int UnixDomain = 1; // AF_UNIX
    public const int SequencedPacket = 5; // SOCK_SEQPACKET
    public const int SocketCloseOnExec = 0x80000; // SOCK_CLOEXEC
    public const int Kill = 9; // SIGKILL
    public const int Interrupted = 4; // EINTR

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int descriptor, int command, int argument);

    public const int Stream = 1; // SOCK_STREAM
    public const int AddressInUse = 98; // EADDRINUSE
    public const int AccessDenied = 13; // EACCES

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int descriptor, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* descriptors);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* actions, int descriptor, int newDescriptor);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawnp")]
    public static partial int SpawnP(int* pid, byte* file, void* actions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetParentProcessId();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int SendSignal(int pid, int signal);

    public const int SocketLevel = 1; // SOL_SOCKET
    public const int SocketMemoryInfo = 55; // SO_MEMINFO (Linux 4.6+): u32[SK_MEMINFO_VARS]
    public const int MemoryInfoCount = 9; // SK_MEMINFO_VARS
    public const int MemoryInfoReceiveQueued = 0; // SK_MEMINFO_RMEM_ALLOC: bytes the application has not read
    public const int MemoryInfoSendQueued = 5; // SK_MEMINFO_WMEM_QUEUED: bytes not yet sent or not yet acknowledged

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSocketOption(int descriptor, int level, int option, void* value, int* length);

    public const int OpenCloseOnExec = 0x80000; // O_CLOEXEC

    [LibraryImport("libc", EntryPoint = "dup3", SetLastError = true)]
    public static partial int Dup3(int descriptor, int newDescriptor, int flags);

    public const int Netlink = 16; // AF_NETLINK (.NET's Socket does not take it)
    public const int Raw = 3; // SOCK_RAW
    public const int NetlinkSocketDiag = 4; // NETLINK_SOCK_DIAG
    public const int DontWait = 0x40; // MSG_DONTWAIT
    public const int Truncate = 0x20; // MSG_TRUNC: recv returns a datagram's whole length, even if longer than the buffer

    [LibraryImport("libc", EntryPoint = "send")]
    public static partial nint Send(int descriptor, void* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv")]
    public static partial nint Receive(int descriptor, void* buffer, nuint length, int flags);
}
