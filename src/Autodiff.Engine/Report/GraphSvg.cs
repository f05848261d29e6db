using System.Globalization;
using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using static Autodiff.Engine.Report.HtmlText;

namespace Autodiff.Engine.Report;

/// <summary>
/// Draws the laid-out training graph: forward, backward and update nodes in their own colours, tensors
/// no node produces (inputs, targets, parameters, optimizer state) as slim boxes, frozen layers dashed,
/// one arrow per node input. Every box has a hover title with its full text.
/// </summary>
internal static class GraphSvg
{
    public static string Write(TrainingGraph training)
    {
        var (boxes, arrows) = GraphLayout.Place(training);
        string N(double v) => GraphLayout.Text(v);
        var width = boxes.Count == 0 ? 100 : boxes.Max(b => b.X + b.Width) + 12;
        var height = boxes.Count == 0 ? 40 : boxes.Max(b => b.Bottom) + 12;
        var frozenReaders = FrozenReaders(training.Graph);

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" data-nodes=\"{training.Graph.Nodes.Count}\">\n");
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"/></marker></defs>\n");

        // Arrows first, so boxes sit on top of them.
        foreach (var a in arrows)
        {
            // Arrows into the same node spread along its top edge so each input can be followed.
            var count = a.To.Node!.Inputs.Count;
            var endX = a.To.X + a.To.Width * (a.InputIndex + 1) / (count + 1);
            var points = new List<(double X, double Y)> { (a.From.CenterX, a.From.Bottom) };
            points.AddRange(a.Bends);
            points.Add((endX, a.To.Y));
            var d = "M" + string.Join(" L", points.Select(p => $"{N(p.X)},{N(p.Y)}"));
            var tensor = a.To.Node.Inputs[a.InputIndex];
            sb.Append(
                $"<path class=\"edge\" d=\"{d}\" marker-end=\"url(#arrow)\" data-from=\"{a.From.Key}\" data-to=\"{a.To.Key}\" data-input=\"{a.InputIndex}\"><title>{Escape(tensor.Name)} {Escape(tensor.Shape.ToString())}</title></path>\n");
        }

        foreach (var box in boxes.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            if (box.Node is { } node) Node(sb, box, node, frozenReaders.Contains(node));
            else Leaf(sb, box, box.Leaf!);
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void Node(StringBuilder sb, GraphBox box, Node node, bool readsFrozen)
    {
        string N(double v) => GraphLayout.Text(v);
        var phase = node.Phase.ToString().ToLowerInvariant();
        var shape = node.Output?.Shape.ToString() ?? "updates " + string.Join(", ", node.Updates.Select(t => t.Name));
        var line = node.Source is { } s ? $"line {s.Line}" : "";
        var first = node.Output is { } o ? $"{o.Name} = {node.Op.Describe()}" : node.Op.Describe();
        var title = $"{node} · {phase}{(node.Output is null ? "" : " · " + node.Output.Shape)}{(line.Length > 0 ? " · model " + line : "")}{(readsFrozen ? " · reads frozen weights" : "")}";
        sb.Append(
            $"<g class=\"node {phase}{(readsFrozen ? " frozen" : "")}\" data-node=\"{node.Id}\" data-phase=\"{phase}\" data-op=\"{Escape(node.Op.Name)}\" data-line=\"{node.Source?.Line ?? 0}\">" +
            $"<title>{Escape(title)}</title>" +
            $"<rect x=\"{N(box.X)}\" y=\"{N(box.Y)}\" width=\"{N(box.Width)}\" height=\"{N(box.Height)}\" rx=\"5\"/>" +
            $"<text x=\"{N(box.X + 6)}\" y=\"{N(box.Y + 18)}\" class=\"op\">{Escape(Fit(first, 28))}</text>" +
            $"<text x=\"{N(box.X + 6)}\" y=\"{N(box.Y + 36)}\" class=\"detail\">{Escape(Fit($"{shape}  {line}{(readsFrozen ? "  frozen" : "")}", 34))}</text>" +
            "</g>\n");
    }

    private static void Leaf(StringBuilder sb, GraphBox box, Tensor tensor)
    {
        string N(double v) => GraphLayout.Text(v);
        var role = tensor.Role switch
        {
            TensorRole.FrozenParameter => "frozen",
            TensorRole.Parameter => "parameter",
            TensorRole.OptimizerState => "state",
            TensorRole.Target => "target",
            _ => "input",
        };
        var line = tensor.Source is { } s ? $" · model line {s.Line}" : "";
        sb.Append(
            $"<g class=\"leaf {role}\" data-tensor=\"{tensor.Id}\" data-role=\"{role}\">" +
            $"<title>{Escape($"{tensor.Name} {tensor.Shape} · {role}{line}")}</title>" +
            $"<rect x=\"{N(box.X)}\" y=\"{N(box.Y)}\" width=\"{N(box.Width)}\" height=\"{N(box.Height)}\" rx=\"12\"/>" +
            $"<text x=\"{N(box.X + 8)}\" y=\"{N(box.Y + 19)}\" class=\"detail\">{Escape(Fit($"{tensor.Name} {tensor.Shape} {(role == "frozen" ? "frozen" : "")}".TrimEnd(), 32))}</text>" +
            "</g>\n");
    }

    /// <summary>Nodes reading a frozen parameter: the layers whose weights stay fixed.</summary>
    public static HashSet<Node> FrozenReaders(ComputeGraph graph) =>
        graph.Nodes.Where(n => n.Inputs.Any(t => t.Role == TensorRole.FrozenParameter)).ToHashSet();
}
