using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Axis permutation: y's axis i is x's axis perm[i]; the default swaps the last two axes.
// Backward is the inverse permutation. The generated code gathers with loops of its own.

/// <summary>Permutes the axes of x (full axes, batch included; negative values count from the end).</summary>
public sealed class TransposeOp(IReadOnlyList<int>? perm = null) : Op
{
    /// <summary>The permutation as given; null means "swap the last two axes".</summary>
    public IReadOnlyList<int>? Perm { get; } = perm?.ToArray();

    public override string Name => "transpose";
    public override string Describe() => Perm is null ? "transpose" : $"transpose(perm=[{string.Join(", ", Perm)}])";

    /// <summary>Maps a per-sample permutation from the model language to full axes: the batch axis stays first.</summary>
    public static int[] FromPerSample(IReadOnlyList<int> perSamplePerm) =>
        [0, .. perSamplePerm.Select(p => p < 0 ? p : p + 1)];

    /// <summary>The permutation for an input of the given rank, or null with a reason.</summary>
    public int[]? Resolve(int rank, out string? error)
    {
        error = null;
        if (Perm is null)
        {
            if (rank < 2) { error = "transpose needs at least two axes"; return null; }
            var swap = Enumerable.Range(0, rank).ToArray();
            (swap[rank - 2], swap[rank - 1]) = (swap[rank - 1], swap[rank - 2]);
            return swap;
        }
        if (Perm.Count != rank) { error = $"perm has {Perm.Count} axes, the tensor {rank}"; return null; }
        var perm = Perm.Select(p => p < 0 ? p + rank : p).ToArray();
        if (perm.Any(p => p < 0 || p >= rank) || perm.Distinct().Count() != rank)
        {
            error = $"[{string.Join(", ", Perm)}] is not a permutation of {rank} axes";
            return null;
        }
        return perm;
    }

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count != 1) { error = "transpose takes one tensor"; return null; }
        if (s[0].Rank > Broadcasting.MaxRank) { error = $"rank {s[0].Rank} is above the supported {Broadcasting.MaxRank}"; return null; }
        var perm = Resolve(s[0].Rank, out error);
        return perm is null ? null : new Shape(perm.Select(p => s[0][p]).ToArray());
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var x = a.InShape(0);
        var perm = Resolve(x.Rank, out _)!;
        var strides = x.Strides();
        var offsets = Broadcasting.Offsets(a.OutShape.ToArray(), perm.Select(p => strides[p]).ToArray());
        var (src, y) = (a.In(0), a.Out);
        for (var i = 0; i < y.Length; i++) y[i] = src[offsets[i]];
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var perm = Resolve(ctx.Input(0).Shape.Rank, out _)!;
        var inverse = new int[perm.Length];
        for (var i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return [ctx.Builder.Apply(new TransposeOp(inverse), [ctx.GradOutputOrOne()], "grad." + ctx.Input(0).Name, null)];
    }

    public override string? KernelFamily => null;

    /// <summary>y[k] = x[offset of k]: the output walked row-major, x through the permuted strides.</summary>
    public override void Emit(IKernelCallWriter c)
    {
        var x = c.Node.Input(0).Shape;
        var perm = Resolve(x.Rank, out _)!;
        var strides = x.Strides();
        StridedLoops.Emit(c, c.Node.Out.Shape.ToArray(), [perm.Select(p => strides[p]).ToArray()],
            (k, offsets) => $"{c.Out}[{k}] = {c.In(0)}[{offsets[0]}];");
    }
}

public static class TransposeGraphExtensions
{
    /// <summary>Permutes axes (full axes, batch included); without <paramref name="perm"/>, swaps the last two.</summary>
    public static Tensor Transpose(this GraphBuilder g, Tensor x, params int[] perm) =>
        g.Apply(new TransposeOp(perm.Length == 0 ? null : perm), x);
}
