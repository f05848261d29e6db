using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Report;

/// <summary>
/// The training graph as Graphviz source (<c>NAME.dot</c>), for people who lay it out with their own
/// <c>dot</c>; the HTML report does not depend on Graphviz being installed.
/// </summary>
internal static class DotWriter
{
    public static string Write(TrainingGraph training)
    {
        var graph = training.Graph;
        var frozenReaders = GraphSvg.FrozenReaders(graph);
        var sb = new StringBuilder();
        sb.Append($"digraph {Quote(training.Name)} {{\n");
        sb.Append("  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n");
        var leaves = graph.Nodes.SelectMany(n => n.Inputs).Where(t => t.Producer is null).Distinct().OrderBy(t => t.Id);
        foreach (var t in leaves)
        {
            var frozen = t.Role == TensorRole.FrozenParameter;
            sb.Append($"  t{t.Id} [label={Quote($"{t.Name} {t.Shape}{(frozen ? " (frozen)" : "")}")}, shape=ellipse, fillcolor=\"{(frozen ? "#d9d9d9" : "#ffffff")}\"{(frozen ? ", style=\"filled,dashed\"" : "")}];\n");
        }
        foreach (var n in graph.Nodes)
        {
            var colour = n.Phase switch { NodePhase.Forward => "#dbeafe", NodePhase.Backward => "#fde2e2", _ => "#ece0fb" };
            var label = $"{(n.Output is { } o ? o.Name + " = " : "")}{n.Op.Describe()}\n{n.Output?.Shape.ToString() ?? "update"}{(n.Source is { } s ? $"  line {s.Line}" : "")}";
            var frozen = frozenReaders.Contains(n);
            sb.Append($"  n{n.Id} [label={Quote(label)}, fillcolor=\"{colour}\"{(frozen ? ", style=\"rounded,filled,dashed\"" : "")}, tooltip={Quote(n.Phase.ToString().ToLowerInvariant())}];\n");
        }
        foreach (var n in graph.Nodes)
            foreach (var input in n.Inputs)
                sb.Append($"  {(input.Producer is { } p ? $"n{p.Id}" : $"t{input.Id}")} -> n{n.Id};\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>A Graphviz quoted string: backslashes and quotes escaped, line breaks as <c>\n</c>.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }
}
