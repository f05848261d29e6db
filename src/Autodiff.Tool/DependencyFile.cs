using System.Text;

namespace Autodiff.Tool;

/// <summary>
/// A make-style dependency file (<c>NAME.d</c>) naming every file the generated C depends on, for
/// CMake's <c>DEPFILE</c> (Ninja and Makefiles read the same syntax gcc writes with <c>-MMD</c>).
/// </summary>
public static class DependencyFile
{
    /// <summary><c>targets: prerequisites</c>, one prerequisite per continued line.</summary>
    public static string Format(IEnumerable<string> targets, IEnumerable<string> prerequisites)
    {
        var text = new StringBuilder();
        text.Append(string.Join(' ', targets.Select(Escape))).Append(':');
        foreach (var prerequisite in prerequisites) text.Append(" \\\n  ").Append(Escape(prerequisite));
        return text.Append('\n').ToString();
    }

    /// <summary>Make's escapes: a space or <c>#</c> after a backslash, <c>$</c> doubled; forward slashes on every system.</summary>
    private static string Escape(string path) =>
        path.Replace('\\', '/').Replace("$", "$$").Replace(" ", "\\ ").Replace("#", "\\#");
}
