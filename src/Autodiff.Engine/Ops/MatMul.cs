using System.Numerics;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Batched matrix product C[..., M, N] = A[..., M, K] · B[..., K, N]. The leading (batch) axes
// broadcast NumPy-style, so [B,M,K]·[K,N] applies one matrix to every sample. Backward:
// dA = dC · Bᵀ and dB = Aᵀ · dC, summed over the batch axes along which the operand was
// repeated; the kernels do that sum themselves (their output has its own batch strides, 0 on
// repeated axes), so no gradient of the broadcast shape is ever stored. Kernels: kernels/*/matmul.c.

/// <summary>The strided batched product shared by the forward and backward matmul ops.</summary>
internal static class BatchedProduct
{
    /// <summary>Batch axes of a matrix stack aligned to <paramref name="batch"/>, as matrix strides in elements (0 = repeated).</summary>
    public static int[] BatchStrides(Shape operand, Shape batch)
    {
        var own = new Shape(operand.Dims.Take(operand.Rank - 2).ToArray());
        var matrix = operand[-1] * operand[-2];
        return Broadcasting.AlignedStrides(own, batch).Select(s => s * matrix).ToArray();
    }

    public static Shape BatchOf(Shape s) => new(s.Dims.Take(s.Rank - 2).ToArray());

    /// <summary>
    /// For every batch index of <paramref name="batch"/> (row-major), out[i,j] = Σ_p x[i,p]·y[p,j]
    /// with x, y and out addressed through row/column strides; an out matrix visited again (its
    /// batch stride is 0 on some axis) accumulates. Mirrors <c>matmul_core</c> in matmul.c exactly.
    /// </summary>
    public static void Run<T>(T[] x, int xRow, int xCol, T[] y, int yRow, int yCol, T[] o, int m, int k, int n,
        Shape batch, int[] xBatch, int[] yBatch, int[] oBatch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dims = batch.ToArray();
        var ox = Broadcasting.Offsets(dims, xBatch);
        var oy = Broadcasting.Offsets(dims, yBatch);
        var oo = Broadcasting.Offsets(dims, oBatch);
        var seen = new HashSet<int>();
        for (var b = 0; b < ox.Length; b++)
        {
            var first = seen.Add(oo[b]);
            for (var i = 0; i < m; i++)
                for (var j = 0; j < n; j++)
                {
                    var acc = T.Zero;
                    for (var p = 0; p < k; p++) acc += x[ox[b] + i * xRow + p * xCol] * y[oy[b] + p * yRow + j * yCol];
                    var at = oo[b] + i * n + j;
                    o[at] = first ? acc : o[at] + acc;
                }
        }
    }

    /// <summary>Emits <c>kernel(x, y, out, m, k, n, batch_rank, batch_dims, x_batch_strides, y_batch_strides, out_batch_strides)</c>.</summary>
    public static void Emit(IKernelCallWriter c, string kernel, int m, int k, int n, Shape batch, int[] xBatch, int[] yBatch, int[] oBatch)
    {
        var (dims, strides) = Broadcasting.Coalesce(batch.ToArray(), xBatch, yBatch, oBatch);
        c.Call(kernel, c.In(0), c.In(1), c.Out, m, k, n, dims.Length, Broadcasting.U32Array(dims),
            Broadcasting.U32Array(strides[0]), Broadcasting.U32Array(strides[1]), Broadcasting.U32Array(strides[2]));
    }
}

/// <summary>C = A · B over the last two axes. Inputs: A [..., M, K], B [..., K, N]; output [..., M, N].</summary>
public sealed class MatMulOp : Op
{
    public override string Name => "matmul";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count != 2) { error = "matmul takes two tensors"; return null; }
        if (s[0].Rank < 2 || s[1].Rank < 2) { error = $"matmul needs matrices (rank ≥ 2), got {s[0]} and {s[1]}"; return null; }
        if (s[0][-1] != s[1][-2]) { error = $"inner dimensions differ: {s[0]} has K = {s[0][-1]}, {s[1]} has K = {s[1][-2]}"; return null; }
        var batch = Broadcasting.Broadcast(BatchedProduct.BatchOf(s[0]), BatchedProduct.BatchOf(s[1]), out error);
        if (batch is null) { error = "batch axes: " + error; return null; }
        if (batch.Rank + 2 > Broadcasting.MaxRank) { error = $"rank {batch.Rank + 2} is above the supported {Broadcasting.MaxRank}"; return null; }
        return new Shape([.. batch.Dims, s[0][-2], s[1][-1]]);
    }

    public override long MultiplyAccumulates(Node node) => node.Out.Shape.Count * (long)node.Input(0).Shape[-1];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (sa, sb, sc) = (a.InShape(0), a.InShape(1), a.OutShape);
        int m = sa[-2], k = sa[-1], n = sb[-1];
        var batch = BatchedProduct.BatchOf(sc);
        BatchedProduct.Run(a.In(0), k, 1, a.In(1), n, 1, a.Out, m, k, n, batch,
            BatchedProduct.BatchStrides(sa, batch), BatchedProduct.BatchStrides(sb, batch), BatchedProduct.BatchStrides(sc, batch));
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var g = ctx.Builder;
        var (a, b) = (ctx.Input(0), ctx.Input(1));
        return
        [
            ctx.NeedsGradient(0) ? g.Apply(new MatMulGradAOp(a.Shape), [ctx.GradOutput, b], "grad." + a.Name, null) : null,
            ctx.NeedsGradient(1) ? g.Apply(new MatMulGradBOp(b.Shape), [a, ctx.GradOutput], "grad." + b.Name, null) : null,
        ];
    }

    public override void Emit(IKernelCallWriter c)
    {
        var (sa, sb, sc) = (c.Node.Input(0).Shape, c.Node.Input(1).Shape, c.Node.Out.Shape);
        var batch = BatchedProduct.BatchOf(sc);
        BatchedProduct.Emit(c, "ad_matmul_f32", sa[-2], sa[-1], sb[-1], batch,
            BatchedProduct.BatchStrides(sa, batch), BatchedProduct.BatchStrides(sb, batch), BatchedProduct.BatchStrides(sc, batch));
    }
}

/// <summary>dA = dC · Bᵀ, summed to A's shape <see cref="AShape"/>. Inputs: dC [..., M, N], B [..., K, N].</summary>
public sealed class MatMulGradAOp(Shape aShape) : Op
{
    public Shape AShape { get; } = aShape;
    public override string Name => "matmul_backward_a";
    public override string KernelFamily => "matmul";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Rank >= 2 && s[1].Rank >= 2 && s[0][-1] == s[1][-1]
            && AShape.Rank >= 2 && AShape[-2] == s[0][-2] && AShape[-1] == s[1][-2]
            && Broadcasting.CanBroadcastTo(BatchedProduct.BatchOf(AShape), BatchedProduct.BatchOf(s[0]), out _)
            ? null : $"dC [..., M, N] and B [..., K, N] expected for A {AShape}";
        return error is null ? AShape : null;
    }

    public override long MultiplyAccumulates(Node node) => node.Input(0).Shape.Count * (long)node.Input(1).Shape[-2];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (sdc, sb) = (a.InShape(0), a.InShape(1));
        int m = sdc[-2], n = sdc[-1], k = sb[-2];
        var batch = BatchedProduct.BatchOf(sdc);
        BatchedProduct.Run(a.In(0), n, 1, a.In(1), 1, n, a.Out, m, n, k, batch,
            BatchedProduct.BatchStrides(sdc, batch), BatchedProduct.BatchStrides(sb, batch), BatchedProduct.BatchStrides(AShape, batch));
    }

    public override void Emit(IKernelCallWriter c)
    {
        var (sdc, sb) = (c.Node.Input(0).Shape, c.Node.Input(1).Shape);
        var batch = BatchedProduct.BatchOf(sdc);
        BatchedProduct.Emit(c, "ad_matmul_backward_a_f32", sdc[-2], sb[-2], sdc[-1], batch,
            BatchedProduct.BatchStrides(sdc, batch), BatchedProduct.BatchStrides(sb, batch), BatchedProduct.BatchStrides(AShape, batch));
    }
}

/// <summary>dB = Aᵀ · dC, summed to B's shape <see cref="BShape"/>. Inputs: A [..., M, K], dC [..., M, N].</summary>
public sealed class MatMulGradBOp(Shape bShape) : Op
{
    public Shape BShape { get; } = bShape;
    public override string Name => "matmul_backward_b";
    public override string KernelFamily => "matmul";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Rank >= 2 && s[1].Rank >= 2 && s[0][-2] == s[1][-2]
            && BShape.Rank >= 2 && BShape[-2] == s[0][-1] && BShape[-1] == s[1][-1]
            && Broadcasting.CanBroadcastTo(BatchedProduct.BatchOf(BShape), BatchedProduct.BatchOf(s[1]), out _)
            ? null : $"A [..., M, K] and dC [..., M, N] expected for B {BShape}";
        return error is null ? BShape : null;
    }

    public override long MultiplyAccumulates(Node node) => node.Input(1).Shape.Count * (long)node.Input(0).Shape[-1];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (sa, sdc) = (a.InShape(0), a.InShape(1));
        int m = sa[-2], k = sa[-1], n = sdc[-1];
        var batch = BatchedProduct.BatchOf(sdc);
        BatchedProduct.Run(a.In(0), 1, k, a.In(1), n, 1, a.Out, k, m, n, batch,
            BatchedProduct.BatchStrides(sa, batch), BatchedProduct.BatchStrides(sdc, batch), BatchedProduct.BatchStrides(BShape, batch));
    }

    public override void Emit(IKernelCallWriter c)
    {
        var (sa, sdc) = (c.Node.Input(0).Shape, c.Node.Input(1).Shape);
        var batch = BatchedProduct.BatchOf(sdc);
        BatchedProduct.Emit(c, "ad_matmul_backward_b_f32", sa[-2], sa[-1], sdc[-1], batch,
            BatchedProduct.BatchStrides(sa, batch), BatchedProduct.BatchStrides(sdc, batch), BatchedProduct.BatchStrides(BShape, batch));
    }
}

public static class MatMulGraphExtensions
{
    /// <summary>a · b over the last two axes, broadcasting the leading ones (e.g. [B,M,K]·[K,N]).</summary>
    public static Tensor MatMul(this GraphBuilder g, Tensor a, Tensor b) => g.Apply(new MatMulOp(), a, b);
}
