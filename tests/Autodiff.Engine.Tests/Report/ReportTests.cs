using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Planning;
using Autodiff.Engine.Report;
using Autodiff.Engine.Tests.CodeGen;
using Autodiff.Engine.Tests.Model;
using Autodiff.Engine.Tests.Planning;
using Xunit;

namespace Autodiff.Engine.Tests.Report;

public class ReportTests
{
    /// <summary>The good models that compile to C (tensor_ops has nothing to train, so it has no report).</summary>
    public static TheoryData<string> Models() => GeneratedCodeTests.Models;

    private static CompileResult Compile(string model, string board = "host", long? budget = null) =>
        ModelCompiler.Compile(new CompileRequest(GeneratedCodeTests.ModelPath(model), MemoryPlanTests.Board(board), KernelChoice.Portable, RamBudget: budget));

    private static string Html(CompileResult result) => result.ReportFiles.Single(f => f.RelativePath == result.ModelName + ".report.html").Content;

    [Theory]
    [MemberData(nameof(Models))]
    public void Report_is_well_formed_deterministic_and_free_of_machine_paths(string model)
    {
        var first = Compile(model);
        var second = Compile(model);
        Assert.True(first.Succeeded, string.Join("\n", first.Diagnostics));

        var name = first.ModelName!;
        Assert.Equal([name + ".report.html", name + ".dot"], first.ReportFiles.Select(f => f.RelativePath));
        Assert.Equal(first.ReportFiles, second.ReportFiles);
        // Written with the C, by the same step.
        Assert.All(first.ReportFiles, f => Assert.Contains(f, first.Files));

        var html = Html(first);
        Assert.StartsWith("<!DOCTYPE html>\n", html);
        var doc = ReportDocument.Parse(html);
        Assert.Equal("html", doc.Root!.Name.LocalName);
        Assert.DoesNotContain(GoodModels.Folder, html);
        Assert.DoesNotContain(Path.GetTempPath(), html);
        Assert.Contains($"<code>{model}.yaml</code>", html);
        // Self-contained: no script, nothing fetched.
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/", ""));
        Assert.DoesNotContain("https://", html);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_memory_map_rectangle_is_a_buffer_of_the_plan(string model)
    {
        var result = Compile(model);
        var (_, plan) = ModelCompiler.Plan(GeneratedCodeTests.ModelPath(model), new DiagnosticBag());
        var doc = ReportDocument.Parse(Html(result));

        var rects = ReportDocument.ByClass(doc, "rect", "buffer").ToList();
        Assert.Equal(plan!.Buffers.Count, rects.Count);
        foreach (var rect in rects)
        {
            var buffer = plan.Buffers.Single(b => b.Id == ReportDocument.Long(rect, "data-buffer"));
            Assert.Equal(buffer.Offset, ReportDocument.Long(rect, "data-offset"));
            Assert.Equal(buffer.Bytes, ReportDocument.Long(rect, "data-bytes"));
            Assert.Equal(buffer.FirstStep, ReportDocument.Long(rect, "data-first"));
            Assert.Equal(buffer.LastStep, ReportDocument.Long(rect, "data-last"));
            Assert.Equal(buffer.Label, (string)rect.Attribute("data-label")!);
            Assert.Contains(buffer.Label, rect.Elements().Single(e => e.Name.LocalName == "title").Value);
        }
        var map = ReportDocument.ByClass(doc, "svg", "memory-map").Single();
        Assert.Equal(plan.PeakStep, ReportDocument.Long(map, "data-peak-step"));
        Assert.Equal(plan.LowerBoundBytes, ReportDocument.Long(map, "data-lower-bound"));
        Assert.Single(ReportDocument.ByClass(doc, "line", "peak"));
        Assert.Single(ReportDocument.ByClass(doc, "line", "lower-bound"));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Graph_has_one_box_per_node_and_one_arrow_per_input(string model)
    {
        var result = Compile(model);
        var (training, _) = ModelCompiler.Plan(GeneratedCodeTests.ModelPath(model), new DiagnosticBag());
        var doc = ReportDocument.Parse(Html(result));
        var nodes = training!.Graph.Nodes;

        var boxes = ReportDocument.ByClass(doc, "g", "node").ToList();
        Assert.Equal(nodes.Count, boxes.Count);
        Assert.Equal(nodes.Select(n => n.Id).Order(), boxes.Select(b => (int)ReportDocument.Long(b, "data-node")).Order());
        foreach (var box in boxes)
        {
            var node = nodes.Single(n => n.Id == ReportDocument.Long(box, "data-node"));
            Assert.Equal(node.Phase.ToString().ToLowerInvariant(), (string)box.Attribute("data-phase")!);
            Assert.Equal(node.Source?.Line ?? 0, ReportDocument.Long(box, "data-line"));
        }

        var edges = ReportDocument.ByClass(doc, "path", "edge").ToList();
        Assert.Equal(nodes.Sum(n => n.Inputs.Count), edges.Count);
        foreach (var node in nodes)
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                var from = node.Inputs[i].Producer is { } p ? $"n{p.Id}" : $"t{node.Inputs[i].Id}";
                Assert.Single(edges, e => (string)e.Attribute("data-to")! == $"n{node.Id}" && (string)e.Attribute("data-input")! == i.ToString()
                                          && (string)e.Attribute("data-from")! == from);
            }
        // Every arrow starts at a box that is drawn.
        var keys = boxes.Select(b => "n" + (string)b.Attribute("data-node")!)
            .Concat(ReportDocument.ByClass(doc, "g", "leaf").Select(b => "t" + (string)b.Attribute("data-tensor")!)).ToHashSet();
        Assert.All(edges, e => Assert.Contains((string)e.Attribute("data-from")!, keys));
    }

    [Fact]
    public void Frozen_layers_are_marked_and_the_layer_table_says_frozen()
    {
        var html = Html(Compile("frozen_weights"));
        var doc = ReportDocument.Parse(html);
        Assert.NotEmpty(ReportDocument.ByClass(doc, "g", "frozen"));
        Assert.Contains(ReportDocument.ByClass(doc, "table", "layers").Single().Descendants().Where(e => e.Name.LocalName == "td"), td => td.Value == "frozen");
    }

    [Fact]
    public void Layer_table_adds_up_to_the_plan()
    {
        var result = Compile("mnist_mlp");
        var (training, plan) = ModelCompiler.Plan(GeneratedCodeTests.ModelPath("mnist_mlp"), new DiagnosticBag());
        var doc = ReportDocument.Parse(Html(result));
        var total = ReportDocument.ByClass(doc, "tr", "total").Single().Elements().Select(e => e.Value).ToList();
        long Number(string text) => long.Parse(text.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(training!.Graph.Parameters.Sum(t => (long)t.Shape.Count), Number(total[3]));
        Assert.Equal(plan!.Steps.SelectMany(s => s.Nodes).Sum(n => n.Op.MultiplyAccumulates(n)), Number(total[6]));
        Assert.Equal(plan.LowerBoundBytes, Number(total[7]));
        Assert.Contains("linear: portable", Html(result));
    }

    [Fact]
    public void Report_line_names_the_report_in_the_generated_folder()
    {
        var root = Path.Combine(Path.GetTempPath(), "generated");
        var result = ModelCompiler.Compile(new CompileRequest(GeneratedCodeTests.ModelPath("mnist_mlp"), MemoryPlanTests.Board("host"), KernelChoice.Portable)
        {
            GeneratedDirectory = root,
        });
        Assert.Contains($"  report: {Path.Combine(root, "mnist_mlp", "mnist_mlp.report.html")}", result.ReportLines);
    }

    [Fact]
    public void Over_budget_build_still_reports_the_plan_and_the_budget_and_AD3001_names_the_report()
    {
        var result = Compile("mnist_mlp", "stm32f4", budget: 4096);
        Assert.False(result.Succeeded);
        Assert.Empty(result.Files);
        Assert.Equal("mnist_mlp", result.ModelName);
        var error = Assert.Single(result.Diagnostics, d => d.Code == OverBudget.Code);
        Assert.Contains("mnist_mlp.report.html", error.Message);

        var (_, plan) = ModelCompiler.Plan(GeneratedCodeTests.ModelPath("mnist_mlp"), new DiagnosticBag());
        var doc = ReportDocument.Parse(Html(result));
        Assert.Equal(plan!.Buffers.Count, ReportDocument.ByClass(doc, "rect", "buffer").Count());
        Assert.Single(ReportDocument.ByClass(doc, "line", "budget"));
        Assert.Single(ReportDocument.ByClass(doc, "p", "over"));
        Assert.Contains("not chosen (over budget)", Html(result));
    }

    [Fact]
    public void User_text_is_escaped_in_html_and_dot()
    {
        Assert.Equal("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", HtmlText.Escape("a <b> & \"c\" 'd'"));
        Assert.Equal("\"say \\\"hi\\\" \\\\ there\\nnext\"", DotWriter.Quote("say \"hi\" \\ there\nnext"));
    }

    [Fact]
    public void Dot_file_has_every_node_and_one_edge_per_input()
    {
        var result = Compile("residual_rmsprop");
        var (training, _) = ModelCompiler.Plan(GeneratedCodeTests.ModelPath("residual_rmsprop"), new DiagnosticBag());
        var dot = result.ReportFiles.Single(f => f.RelativePath.EndsWith(".dot")).Content;
        Assert.StartsWith("digraph \"residual\" {", dot);
        Assert.Equal(training!.Graph.Nodes.Sum(n => n.Inputs.Count), dot.Split('\n').Count(l => l.Contains(" -> ")));
        Assert.All(training.Graph.Nodes, n => Assert.Contains($"  n{n.Id} [label=", dot));
    }
}
