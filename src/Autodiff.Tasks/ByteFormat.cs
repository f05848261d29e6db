using System.Globalization;

namespace Autodiff.Tasks;

/// <summary>Formats byte counts the way the budget report prints them (<c>38.2 KiB</c>).</summary>
internal static class ByteFormat
{
    public static string KiB(long bytes) =>
        (bytes / 1024.0).ToString(bytes % 1024 == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " KiB";
}
