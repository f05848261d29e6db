using System.Text.RegularExpressions;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;

namespace Autodiff.Engine.Tests.Diagnostics;

/// <summary>
/// Each diagnostic code is written once in the source (a constant others refer to), and the docs
/// list exactly the codes the source defines: docs/model-language.md the model language's,
/// docs/diagnostics.md every other.
/// </summary>
public partial class DiagnosticCodeCatalogTests
{
    [GeneratedRegex("\"(AD[0-9]{4})\"")]
    private static partial Regex CodeLiteral();

    [GeneratedRegex(@"^\|\s*`?(AD[0-9]{4})`?\s*\|", RegexOptions.Multiline)]
    private static partial Regex CodeRow();

    private static string Root => NativeRun.RepositoryRoot;

    private static IEnumerable<(string File, string Code)> Literals() =>
        Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => CodeLiteral().Matches(File.ReadAllText(f)).Select(m => (Path.GetRelativePath(Root, f), m.Groups[1].Value)));

    [Fact]
    public void Every_code_is_written_once_in_the_source()
    {
        var repeated = Literals().GroupBy(l => l.Code).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} in {string.Join(", ", g.Select(l => l.File))}").ToList();
        Assert.True(repeated.Count == 0, "codes written more than once (refer to the one constant instead): " + string.Join("; ", repeated));
    }

    [Fact]
    public void The_docs_list_exactly_the_codes_of_the_source()
    {
        var defined = Literals().Select(l => l.Code).ToHashSet();
        var listed = new[] { "model-language.md", "diagnostics.md" }
            .SelectMany(d => CodeRow().Matches(File.ReadAllText(Path.Combine(Root, "docs", d))).Select(m => m.Groups[1].Value))
            .ToList();
        var twice = listed.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, "listed twice in docs: " + string.Join(", ", twice));
        var undocumented = defined.Except(listed).Order().ToList();
        var stale = listed.Except(defined).Order().ToList();
        Assert.True(undocumented.Count == 0, "add a row to docs/diagnostics.md (or model-language.md) for: " + string.Join(", ", undocumented));
        Assert.True(stale.Count == 0, "the docs list codes the source no longer defines: " + string.Join(", ", stale));
    }
}
