using System.Text;

namespace Autodiff.Tasks;

/// <summary>
/// Writes files so that a reader (a parallel compiler, an IDE) never sees half a file, and so that
/// unchanged content keeps its timestamp and does not trigger recompilation.
/// </summary>
internal static class AtomicFile
{
    private static readonly Encoding Utf8NoBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="content"/> unless the file already holds exactly it; returns true when written.</summary>
    public static bool WriteIfChanged(string path, string content)
    {
        var bytes = Utf8NoBom.GetBytes(content);
        if (File.Exists(path) && new FileInfo(path).Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            return false;
        Write(path, bytes);
        return true;
    }

    /// <summary>Always writes, so the file's timestamp records that the step ran.</summary>
    public static void Write(string path, string content) => Write(path, Utf8NoBom.GetBytes(content));

    /// <summary>Always writes the bytes (binary outputs such as .npy files).</summary>
    public static void Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
