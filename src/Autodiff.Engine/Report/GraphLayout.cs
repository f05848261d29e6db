using System.Globalization;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using GraphShape;
using GraphShape.Algorithms.Layout;
using QuikGraph;

namespace Autodiff.Engine.Report;

/// <summary>A box of the drawn training graph: a node, or a tensor no node produces (input, target, parameter, state).</summary>
/// <param name="Key">Unique within the drawing: <c>n{node id}</c> or <c>t{tensor id}</c>.</param>
internal sealed record GraphBox(string Key, Node? Node, Tensor? Leaf, double X, double Y, double Width, double Height)
{
    public double CenterX => X + Width / 2;
    public double Bottom => Y + Height;
}

/// <summary>An arrow of the drawn graph: one per input of a node (a node reading a tensor twice gets two).</summary>
/// <param name="Bends">Points the layout routes the arrow through (around boxes of the layers it crosses).</param>
internal sealed record GraphArrow(GraphBox From, GraphBox To, int InputIndex, IReadOnlyList<(double X, double Y)> Bends);

/// <summary>
/// Places the training graph with GraphShape's Sugiyama (layered) layout, top to bottom in data-flow
/// order. The layout must be the same on every build of the same model, so vertices are plain ints
/// (hash codes that do not change between processes), the random generator has a fixed seed, and
/// coordinates are rounded before they are written.
/// </summary>
internal static class GraphLayout
{
    public const double BoxWidth = 190;
    public const double BoxHeight = 46;
    public const double LeafHeight = 30;

    /// <summary>
    /// The most boxes (nodes and leaf tensors) laid out at build time. GraphShape's Sugiyama layout
    /// takes time that grows faster than the graph (72 boxes: 1 s, 143: 4 s, a 100-layer model:
    /// minutes), and every regeneration pays it; larger graphs are left to Graphviz and NAME.dot.
    /// </summary>
    public const int MaxBoxes = 100;

    /// <summary>How many boxes <see cref="Place"/> would lay out for this graph.</summary>
    public static int BoxCount(TrainingGraph training) =>
        training.Graph.Nodes.Count + training.Graph.Nodes.SelectMany(n => n.Inputs).Where(t => t.Producer is null).Distinct().Count();

    public static (IReadOnlyList<GraphBox> Boxes, IReadOnlyList<GraphArrow> Arrows) Place(TrainingGraph training)
    {
        var graph = training.Graph;
        // Vertex ids: nodes 0..N-1, leaf tensors N + tensor id.
        var nodeCount = graph.Nodes.Count;
        var leaves = graph.Nodes.SelectMany(n => n.Inputs).Where(t => t.Producer is null).Distinct().OrderBy(t => t.Id).ToList();
        int Vertex(Tensor t) => t.Producer is { } p ? p.Id : nodeCount + t.Id;

        var vertices = new Dictionary<int, LayoutVertex>();
        var layoutGraph = new BidirectionalGraph<LayoutVertex, SEquatableEdge<LayoutVertex>>(allowParallelEdges: false);
        var sizes = new Dictionary<LayoutVertex, Size>();
        void AddVertex(int id, double height)
        {
            var v = vertices[id] = new LayoutVertex(id);
            layoutGraph.AddVertex(v);
            sizes[v] = new Size(BoxWidth, height);
        }
        foreach (var node in graph.Nodes) AddVertex(node.Id, BoxHeight);
        foreach (var leaf in leaves) AddVertex(Vertex(leaf), LeafHeight);
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs.Distinct())
                layoutGraph.AddEdge(new SEquatableEdge<LayoutVertex>(vertices[Vertex(input)], vertices[node.Id]));

        var parameters = new SugiyamaLayoutParameters
        {
            Direction = LayoutDirection.TopToBottom,
            LayerGap = 46,
            SliceGap = 24,
            EdgeRouting = SugiyamaEdgeRouting.Traditional,
            OptimizeWidth = false,
            MinimizeEdgeLength = true,
        };
        var layout = new SugiyamaLayoutAlgorithm<LayoutVertex, SEquatableEdge<LayoutVertex>, BidirectionalGraph<LayoutVertex, SEquatableEdge<LayoutVertex>>>(layoutGraph, sizes, parameters)
        {
            Rand = new Random(12),
        };
        layout.Compute();

        // The library gives centres; shift everything so the drawing starts at (margin, margin).
        const double margin = 12;
        var positions = layout.VerticesPositions;
        var minX = positions.Count == 0 ? 0 : positions.Min(kv => kv.Value.X - sizes[kv.Key].Width / 2);
        var minY = positions.Count == 0 ? 0 : positions.Min(kv => kv.Value.Y - sizes[kv.Key].Height / 2);
        GraphBox Box(int vertex, Node? node, Tensor? leaf)
        {
            var p = positions[vertices[vertex]];
            var s = sizes[vertices[vertex]];
            return new GraphBox(node is not null ? $"n{node.Id}" : $"t{leaf!.Id}", node, leaf,
                Round(p.X - s.Width / 2 - minX + margin), Round(p.Y - s.Height / 2 - minY + margin), s.Width, s.Height);
        }

        var boxes = new Dictionary<int, GraphBox>();
        foreach (var node in graph.Nodes) boxes[node.Id] = Box(node.Id, node, null);
        foreach (var leaf in leaves) boxes[Vertex(leaf)] = Box(Vertex(leaf), null, leaf);
        IReadOnlyList<(double, double)> Bends(Tensor input, Node node) =>
            layout.EdgeRoutes.TryGetValue(new SEquatableEdge<LayoutVertex>(vertices[Vertex(input)], vertices[node.Id]), out var route) && route is not null
                ? route.Select(p => (Round(p.X - minX + margin), Round(p.Y - minY + margin))).ToList()
                : [];
        var arrows = graph.Nodes.SelectMany(n => n.Inputs.Select((t, i) => new GraphArrow(boxes[Vertex(t)], boxes[n.Id], i, Bends(t, n)))).ToList();
        return (boxes.Values.ToList(), arrows);
    }

    /// <summary>
    /// A layout vertex whose hash code is its id: the library keeps vertices in hash sets, and a
    /// reference hash code would change the iteration order, and so the layout, from run to run.
    /// </summary>
    internal sealed class LayoutVertex(int id) : IEquatable<LayoutVertex>
    {
        public int Id { get; } = id;
        public bool Equals(LayoutVertex? other) => other is not null && other.Id == Id;
        public override bool Equals(object? obj) => Equals(obj as LayoutVertex);
        public override int GetHashCode() => Id;
        public override string ToString() => Id.ToString(CultureInfo.InvariantCulture);
    }

    private static double Round(double value) => Math.Round(value, 1, MidpointRounding.AwayFromZero);

    /// <summary>A coordinate as SVG text: invariant culture, at most one decimal.</summary>
    public static string Text(double value) => Round(value).ToString("0.#", CultureInfo.InvariantCulture);
}
