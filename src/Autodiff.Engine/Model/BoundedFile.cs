using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>Why <see cref="BoundedFile.TryRead"/> returned no bytes.</summary>
public enum FileProblem { None, Missing, TooLarge, Unreadable }

/// <summary>
/// Reads an input file whole, but only a regular file no larger than a limit, so that no input can
/// make a build wait or run out of memory: a FIFO would block the open until a writer comes, and
/// devices such as <c>/dev/zero</c> never end. Symbolic links are followed to their final target.
/// </summary>
public static class BoundedFile
{
    /// <summary>
    /// The bytes of <paramref name="path"/>; null when it cannot or may not be read, with the
    /// <paramref name="kind"/> of problem and a <paramref name="problem"/> phrase that reads after the
    /// file's name (e.g. "does not exist").
    /// </summary>
    public static byte[]? TryRead(string path, long maxBytes, out FileProblem kind, out string? problem)
    {
        using var stream = TryOpen(path, maxBytes, out kind, out problem);
        if (stream is null) return null;
        try
        {
            var bytes = new byte[stream.Length];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = stream.Read(bytes, read, bytes.Length - read);
                if (n == 0) break;
                read += n;
            }
            if (read != bytes.Length || stream.ReadByte() >= 0)
            {
                kind = FileProblem.Unreadable;
                problem = "changed size while it was read (or is not a regular file)";
                return null;
            }
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            kind = FileProblem.Unreadable;
            problem = $"cannot be read: {MessageText.Printable(e.Message, 300)}";
            return null;
        }
    }

    /// <summary>
    /// <paramref name="path"/> opened for reading when it is a regular file of at most
    /// <paramref name="maxBytes"/> (for callers that stream it, such as hashing); an empty stream
    /// for a file that reports no size; null with the problem as for <see cref="TryRead"/>.
    /// </summary>
    public static Stream? TryOpen(string path, long maxBytes, out FileProblem kind, out string? problem)
    {
        kind = FileProblem.Unreadable;
        try
        {
            FileSystemInfo info = new FileInfo(path);
            if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            if (info is not FileInfo file || !file.Exists)
            {
                var folder = info is DirectoryInfo { Exists: true } || Directory.Exists(info.FullName);
                kind = folder ? FileProblem.Unreadable : FileProblem.Missing;
                problem = folder ? "is a folder, not a file" : "does not exist";
                return null;
            }
            if (file.Length > maxBytes)
            {
                kind = FileProblem.TooLarge;
                problem = $"is {file.Length} bytes; the limit is {maxBytes}";
                return null;
            }
            kind = FileProblem.None;
            problem = null;
            // FIFOs, sockets and devices report no size, like an empty file, and only they could block
            // the open or never end: with nothing to read the file is not opened at all.
            if (file.Length == 0) return new MemoryStream([], writable: false);
            return new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            kind = FileProblem.Unreadable;
            problem = $"cannot be read: {MessageText.Printable(e.Message, 300)}";
            return null;
        }
    }
}
