using System.Globalization;

namespace Autodiff.Engine.Planning;

/// <summary>Byte counts as people read them in build output.</summary>
public static class SizeText
{
    public static string Bytes(long bytes) =>
        bytes < 1024 ? $"{bytes} B"
        : bytes < 1024 * 1024 ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB"
        : (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public static string Exact(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " B";
}
