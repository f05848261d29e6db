using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Items a task hands back to MSBuild are read as escaped: an item spec or metadata value holding
/// <c>;</c> splits into two paths where the targets use it (Inputs, Outputs, task parameters), and
/// <c>$(</c> or <c>@(</c> are taken as MSBuild expressions (MSB4012). A project folder or model file
/// name may hold any of them, so every path that becomes an item or metadata value is escaped here
/// the way MSBuild escapes its own (<c>%3B</c>, <c>%24</c>, <c>%40</c>, …); MSBuild and
/// <see cref="ITaskItem.GetMetadata"/> unescape them again.
/// </summary>
internal static class MsBuildEscaping
{
    // The characters MSBuild itself escapes (Microsoft.Build.Shared.EscapingUtilities).
    private const string Special = "%*?@$();'";

    /// <summary>The text with MSBuild's special characters written as <c>%XX</c>.</summary>
    public static string Escape(string text)
    {
        if (text.IndexOfAny(Special.ToCharArray()) < 0) return text;
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (Special.Contains(c)) builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            else builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>An item whose spec is the literal <paramref name="path"/>.</summary>
    public static TaskItem Item(string path) => new(Escape(path));

    /// <summary>Sets metadata to the literal <paramref name="value"/>.</summary>
    public static void SetLiteralMetadata(this ITaskItem item, string name, string value) => item.SetMetadata(name, Escape(value));
}
