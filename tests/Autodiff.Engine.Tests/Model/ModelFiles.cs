using System.Text.RegularExpressions;

namespace Autodiff.Engine.Tests.Model;

/// <summary>Locates the model corpus copied next to the test assembly and reads its expectation headers.</summary>
internal static partial class ModelFiles
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Models");

    public static string Folder(string name) => Path.Combine(Root, name);

    public static IEnumerable<object[]> Yaml(string folder) =>
        Directory.EnumerateFiles(Folder(folder), "*.yaml")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { f! });

    [GeneratedRegex(@"^#\s*expect:\s*(AD\d{4})\s+at\s+(\d+):(\d+)\s*$")]
    private static partial Regex ExpectPattern();

    /// <summary>The expectation in a corpus file's first line: <c># expect: AD1012 at 7:15</c>.</summary>
    public static (string Code, int Line, int Column) Expectation(string path)
    {
        var first = File.ReadLines(path).FirstOrDefault() ?? "";
        var m = ExpectPattern().Match(first.TrimEnd('\r'));
        if (!m.Success) throw new InvalidOperationException($"{path}: first line must be '# expect: ADnnnn at line:col', got '{first}'");
        return (m.Groups[1].Value, int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
    }
}
