using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Tests.Planning;
using Xunit;

namespace Autodiff.Engine.Tests.Report;

/// <summary>
/// A deep model's report is still written (well-formed, with its memory map and table) but leaves its
/// graph to Graphviz: the build lays out at most GraphLayout.MaxBoxes boxes, whose layout time grows
/// faster than the graph.
/// </summary>
public class LargeGraphReportTests
{
    [Fact]
    public void A_graph_above_the_layout_limit_points_to_the_dot_file_instead()
    {
        var layers = string.Concat(Enumerable.Range(0, 200).Select(i => i % 4 == 0 ? "  - linear: { units: 4 }\n" : i % 2 == 1 ? "  - relu\n" : "  - tanh\n"));
        var text = $"autodiff: 1\nname: deep\ninputs:\n  x: [4]\n  y: [4]\nlayers:\n{layers}loss: {{ mse: {{ target: y }} }}\noptimizer: {{ sgd: {{ lr: 0.01 }} }}\n";
        var path = Path.Combine(Path.GetTempPath(), "autodiff-deep-report-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, text);
        try
        {
            var result = ModelCompiler.Compile(new CompileRequest(path, MemoryPlanTests.Board("host"), KernelChoice.Portable));
            Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
            var html = result.ReportFiles.Single(f => f.RelativePath == "deep.report.html").Content;
            var doc = ReportDocument.Parse(html);
            Assert.NotEmpty(ReportDocument.ByClass(doc, "rect", "buffer"));
            Assert.Contains("more than the 100 the build lays out", html);
            Assert.Contains("dot -Tsvg deep.dot", html);
            Assert.Contains(result.ReportFiles, f => f.RelativePath == "deep.dot" && f.Content.Contains("digraph", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
