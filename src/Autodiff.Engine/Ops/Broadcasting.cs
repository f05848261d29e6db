using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>
/// NumPy-style broadcasting over full graph shapes (batch dimension included): shapes are aligned
/// at their trailing dimensions, and a dimension of 1 (or a missing leading one) stretches to
/// match the other. Also the index arithmetic shared by the broadcasting ops and their kernels.
/// </summary>
public static class Broadcasting
{
    /// <summary>
    /// Highest rank the strided kernels accept; they keep their index counters in fixed arrays of
    /// this size (<c>AD_MAX_RANK</c> in the kernel header) because generated C has no heap and no VLAs.
    /// </summary>
    public const int MaxRank = 8;

    /// <summary>The broadcast of two shapes, or null with a reason.</summary>
    public static Shape? Broadcast(Shape a, Shape b, out string? error)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = Dim(a, i, rank);
            var db = Dim(b, i, rank);
            if (da != db && da != 1 && db != 1)
            {
                error = $"shapes {a} and {b} do not broadcast (dimension {da} against {db})";
                return null;
            }
            dims[i] = Math.Max(da, db);
        }
        if (rank > MaxRank)
        {
            error = $"rank {rank} is above the supported {MaxRank}";
            return null;
        }
        error = null;
        return new Shape(dims);
    }

    /// <summary>True when <paramref name="from"/> broadcasts to exactly <paramref name="to"/>.</summary>
    public static bool CanBroadcastTo(Shape from, Shape to, out string? error)
    {
        error = null;
        if (from.Rank > to.Rank) error = $"{from} has more dimensions than {to}";
        else if (to.Rank > MaxRank) error = $"rank {to.Rank} is above the supported {MaxRank}";
        else
            for (var i = 0; i < to.Rank && error is null; i++)
            {
                var d = Dim(from, i, to.Rank);
                if (d != 1 && d != to[i]) error = $"{from} does not broadcast to {to} (dimension {d} against {to[i]})";
            }
        return error is null;
    }

    /// <summary>
    /// Strides (in elements) of <paramref name="input"/> laid over the index space of
    /// <paramref name="output"/>: 0 on the axes along which the input is repeated.
    /// </summary>
    public static int[] AlignedStrides(Shape input, Shape output)
    {
        var own = input.Strides();
        var strides = new int[output.Rank];
        var lead = output.Rank - input.Rank;
        for (var i = lead; i < output.Rank; i++)
            strides[i] = input[i - lead] == 1 ? 0 : own[i - lead];
        return strides;
    }

    /// <summary>For every element of <paramref name="output"/> in row-major order, the offset of the input element it reads.</summary>
    public static int[] Offsets(Shape input, Shape output) => Offsets(output.ToArray(), AlignedStrides(input, output));

    /// <summary>Offsets visited by a row-major walk over <paramref name="dims"/> with the given strides.</summary>
    public static int[] Offsets(int[] dims, int[] strides)
    {
        long total = 1;
        foreach (var d in dims) total *= d;
        var offsets = new int[total];
        var index = new int[dims.Length];
        var offset = 0;
        for (var n = 0; n < offsets.Length; n++)
        {
            offsets[n] = offset;
            for (var d = dims.Length - 1; d >= 0; d--)
            {
                offset += strides[d];
                if (++index[d] < dims[d]) break;
                offset -= strides[d] * dims[d];
                index[d] = 0;
            }
        }
        return offsets;
    }

    /// <summary>
    /// Shrinks a strided walk for a kernel call without changing the order it visits elements in:
    /// drops axes of extent 1 and merges neighbouring axes that every operand steps through
    /// contiguously (or every operand repeats), e.g. <c>[B,H,W,C] + [C]</c> becomes <c>[B·H·W, C]</c>.
    /// </summary>
    public static (int[] Dims, int[][] Strides) Coalesce(int[] dims, params int[][] strides)
    {
        var outDims = new List<int>();
        var outStrides = strides.Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 1) continue;
            var last = outDims.Count - 1;
            if (last >= 0 && strides.Select((s, k) => outStrides[k][last] == s[i] * dims[i]).All(x => x))
            {
                outDims[last] *= dims[i];
                for (var k = 0; k < strides.Length; k++) outStrides[k][last] = strides[k][i];
                continue;
            }
            outDims.Add(dims[i]);
            for (var k = 0; k < strides.Length; k++) outStrides[k].Add(strides[k][i]);
        }
        return (outDims.ToArray(), outStrides.Select(s => s.ToArray()).ToArray());
    }

    /// <summary>
    /// A C99 compound literal <c>(const uint32_t[]){2u, 3u}</c> to pass a small array to a kernel
    /// from a generated call, or <c>NULL</c> when empty (C has no empty array literal).
    /// </summary>
    public static string U32Array(IEnumerable<int> values)
    {
        var items = values.Select(v => $"{checked((uint)v)}u").ToArray();
        return items.Length == 0 ? "NULL" : "(const uint32_t[]){" + string.Join(", ", items) + "}";
    }

    /// <summary>
    /// A gradient computed in a broadcast output's shape, summed back to <paramref name="operand"/>'s
    /// shape; the gradient itself when no broadcasting happened.
    /// </summary>
    public static Tensor ReduceTo(GraphBuilder g, Tensor gradient, Tensor operand) =>
        gradient.Shape.Equals(operand.Shape) ? gradient
            : g.Apply(new SumToShapeOp(operand.Shape), [gradient], "grad." + operand.Name, null);

    private static int Dim(Shape s, int i, int rank) => i < rank - s.Rank ? 1 : s[i - (rank - s.Rank)];
}

/// <summary>Upstream gradients for backward rules of ops whose output may itself be the loss.</summary>
public static class UpstreamGradient
{
    /// <summary>
    /// dLoss/dOutput, or, when this node is the (scalar) loss itself, a constant 1 (one float in
    /// flash) so that the op's ordinary backward rule applies unchanged.
    /// </summary>
    public static Tensor GradOutputOrOne(this BackwardContext ctx) =>
        ctx.GradOutputOrNull ?? ctx.Builder.Frozen(ctx.Builder.UniqueName("grad.seed"), [1f]);
}

// The adjoint of broadcasting: sums a tensor over the axes along which a smaller one was
// repeated, which is how every broadcasting op returns a gradient to its operand's shape;
// and the explicit `broadcast` op. The generated code walks both with loops of its own.

/// <summary>Sums <c>x</c> down to <see cref="Target"/>, a shape that broadcasts to <c>x</c>'s shape.</summary>
public sealed class SumToShapeOp(Shape target) : Op
{
    public Shape Target { get; } = target;
    public override string Name => "sum_to_shape";
    public override string Describe() => $"sum_to_shape{Target}";
    public override string? KernelFamily => null;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count != 1) { error = "sum_to_shape takes one tensor"; return null; }
        return Broadcasting.CanBroadcastTo(Target, s[0], out error) ? Target : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        var offsets = Broadcasting.Offsets(a.OutShape, a.InShape(0));
        Array.Fill(y, T.Zero);
        for (var i = 0; i < x.Length; i++) y[offsets[i]] += x[i];
    }

    /// <summary>Summing then broadcasting back is the adjoint pair, so the gradient is a broadcast.</summary>
    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new BroadcastToOp(ctx.Input(0).Shape), [ctx.GradOutputOrOne()], "grad." + ctx.Input(0).Name, null)];

    /// <summary>y = 0, then y[offset of k] += x[k] over x row-major: the interpreter's order of the sums.</summary>
    public override void Emit(IKernelCallWriter c)
    {
        var x = c.Node.Input(0).Shape;
        c.Line($"for (size_t k = 0; k < {Target.Count}u; ++k) {c.Out}[k] = 0.0f;");
        StridedLoops.Emit(c, x.ToArray(), [Broadcasting.AlignedStrides(Target, x)],
            (k, offsets) => $"{c.Out}[{offsets[0]}] += {c.In(0)}[{k}];");
    }
}

/// <summary>Repeats <c>x</c> along its axes of extent 1 (and new leading axes) to <see cref="Target"/>.</summary>
public sealed class BroadcastToOp(Shape target) : Op
{
    public Shape Target { get; } = target;
    public override string Name => "broadcast";
    public override string Describe() => $"broadcast{Target}";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count != 1) { error = "broadcast takes one tensor"; return null; }
        return Broadcasting.CanBroadcastTo(s[0], Target, out error) ? Target : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        var offsets = Broadcasting.Offsets(a.InShape(0), Target);
        for (var i = 0; i < y.Length; i++) y[i] = x[offsets[i]];
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [Broadcasting.ReduceTo(ctx.Builder, ctx.GradOutputOrOne(), ctx.Input(0))];

    public override string? KernelFamily => null;

    /// <summary>y[k] = x[offset of k], the repeated axes with stride 0.</summary>
    public override void Emit(IKernelCallWriter c) =>
        StridedLoops.Emit(c, Target.ToArray(), [Broadcasting.AlignedStrides(c.Node.Input(0).Shape, Target)],
            (k, offsets) => $"{c.Out}[{k}] = {c.In(0)}[{offsets[0]}];");
}

public static class BroadcastGraphExtensions
{
    /// <summary>Broadcasts <paramref name="x"/> to a full shape (batch dimension included).</summary>
    public static Tensor BroadcastTo(this GraphBuilder g, Tensor x, Shape target) => g.Apply(new BroadcastToOp(target), x);

    /// <summary>Broadcasts <paramref name="x"/> to <c>[batch, ..perSampleShape]</c>, as the model language's <c>broadcast</c> layer.</summary>
    public static Tensor Broadcast(this GraphBuilder g, Tensor x, params int[] perSampleShape) =>
        g.BroadcastTo(x, new Shape([g.Batch, .. perSampleShape]));

    /// <summary>Sums <paramref name="x"/> down to <paramref name="target"/>, which must broadcast to x's shape.</summary>
    public static Tensor SumToShape(this GraphBuilder g, Tensor x, Shape target) => g.Apply(new SumToShapeOp(target), x);
}
