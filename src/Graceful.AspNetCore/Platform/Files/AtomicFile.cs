namespace Graceful.AspNetCore.Platform.Files;

/// <summary>Replaces a file in one step: written beside it, then renamed over it, so a reader never sees it half-written.</summary>
internal static class AtomicFile
{
    public static void Replace(string path, ReadOnlySpan<byte> contents)
    {
        // The process id keeps two processes (an upgrade's pair) from sharing a temporary file.
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, contents);
        File.Move(temporary, path, overwrite: true);
    }
}
