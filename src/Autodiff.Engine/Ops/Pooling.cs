using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// 2-D max and average pooling over NHWC tensors, valid padding: x [B,H,W,C] → y [B,OH,OW,C] with
// OH = (H − KH) / SH + 1. Windows may overlap (stride < kernel) or leave gaps (stride > kernel);
// the backward kernels therefore scatter-add into a zeroed dx. Kernels: kernels/*/pool.c, all
// taking the geometry arguments in the order of PoolGeometry.KernelArguments.

/// <summary>Sizes of one pooling: input, output, window and stride.</summary>
public sealed record PoolGeometry(int Batch, int InH, int InW, int Channels, int OutH, int OutW,
    int KernelH, int KernelW, int StrideH, int StrideW)
{
    public static PoolGeometry? From(Shape x, int kernelH, int kernelW, int strideH, int strideW, out string? error)
    {
        error = null;
        if (x.Rank != 4) { error = $"input must be [batch, height, width, channels] (NHWC), got {x}"; return null; }
        if (x[1] < kernelH || x[2] < kernelW)
        {
            error = $"a {kernelH}x{kernelW} window does not fit a {x[1]}x{x[2]} input";
            return null;
        }
        return new PoolGeometry(x[0], x[1], x[2], x[3], (x[1] - kernelH) / strideH + 1, (x[2] - kernelW) / strideW + 1,
            kernelH, kernelW, strideH, strideW);
    }

    public Shape InputShape => new(Batch, InH, InW, Channels);
    public Shape OutputShape => new(Batch, OutH, OutW, Channels);

    /// <summary>batch, in_h, in_w, channels, out_h, out_w, k_h, k_w, stride_h, stride_w.</summary>
    public object[] KernelArguments => [Batch, InH, InW, Channels, OutH, OutW, KernelH, KernelW, StrideH, StrideW];

    public int InIndex(int b, int h, int w, int c) => ((b * InH + h) * InW + w) * Channels + c;
    public int OutIndex(int b, int h, int w, int c) => ((b * OutH + h) * OutW + w) * Channels + c;

    public override string ToString() => $"kernel={KernelH}x{KernelW}, stride={StrideH}x{StrideW}";
}

/// <summary>Shared attributes and shape rule of the two pooling ops.</summary>
public abstract class Pool2dOp : Op
{
    protected Pool2dOp(int kernelH, int kernelW, int strideH, int strideW)
    {
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0)
            throw new ArgumentOutOfRangeException(nameof(kernelH), "window and stride are positive");
        (KernelH, KernelW, StrideH, StrideW) = (kernelH, kernelW, strideH, strideW);
    }

    public int KernelH { get; }
    public int KernelW { get; }
    public int StrideH { get; }
    public int StrideW { get; }

    public override string KernelFamily => "pool";
    public override string Describe() => $"{Name}(kernel={KernelH}x{KernelW}, stride={StrideH}x{StrideW})";

    public PoolGeometry Geometry(Node node) =>
        PoolGeometry.From(node.Input(0).Shape, KernelH, KernelW, StrideH, StrideW, out _)
        ?? throw new InvalidOperationException($"{node} has invalid shapes");

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count != 1) { error = $"{Name} takes one tensor"; return null; }
        return PoolGeometry.From(s[0], KernelH, KernelW, StrideH, StrideW, out error)?.OutputShape;
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call($"ad_{Name}_f32", [c.In(0), c.Out, .. Geometry(c.Node).KernelArguments]);
}

/// <summary>y = the largest value of each window.</summary>
public sealed class MaxPool2dOp(int kernelH, int kernelW, int strideH, int strideW) : Pool2dOp(kernelH, kernelW, strideH, strideW)
{
    public override string Name => "maxpool2d";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        var g = Geometry(a.Node);
        for (var b = 0; b < g.Batch; b++)
            for (var oh = 0; oh < g.OutH; oh++)
                for (var ow = 0; ow < g.OutW; ow++)
                    for (var c = 0; c < g.Channels; c++)
                        y[g.OutIndex(b, oh, ow, c)] = x[MaxPool2dGradOp.ArgMax(g, x, b, oh, ow, c)];
    }

    // The input, not the output, is saved: the backward pass finds each window's maximum again.
    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new MaxPool2dGradOp(Geometry(ctx.Node)), [ctx.GradOutput, ctx.Input(0)], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>
/// dx = each window's dy routed to the first maximum of that window (row-major within the window),
/// summed where windows overlap. Inputs: dy [B,OH,OW,C], x [B,H,W,C]; output [B,H,W,C].
/// </summary>
public sealed class MaxPool2dGradOp(PoolGeometry geometry) : Op
{
    public PoolGeometry Geometry { get; } = geometry;

    public override string Name => "maxpool2d_backward";
    public override string KernelFamily => "pool";
    public override string Describe() => $"maxpool2d_backward({Geometry})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(Geometry.OutputShape) && s[1].Equals(Geometry.InputShape)
            ? null : $"dy {Geometry.OutputShape} and x {Geometry.InputShape} expected";
        return error is null ? Geometry.InputShape : null;
    }

    /// <summary>Index into x of the first maximum of one window; ties keep the earlier element.</summary>
    internal static int ArgMax<T>(PoolGeometry g, T[] x, int b, int oh, int ow, int c) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var best = g.InIndex(b, oh * g.StrideH, ow * g.StrideW, c);
        for (var kh = 0; kh < g.KernelH; kh++)
            for (var kw = 0; kw < g.KernelW; kw++)
            {
                var i = g.InIndex(b, oh * g.StrideH + kh, ow * g.StrideW + kw, c);
                if (x[i] > x[best]) best = i;
            }
        return best;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, x, dx) = (a.In(0), a.In(1), a.Out);
        var g = Geometry;
        Array.Fill(dx, T.Zero);
        for (var b = 0; b < g.Batch; b++)
            for (var oh = 0; oh < g.OutH; oh++)
                for (var ow = 0; ow < g.OutW; ow++)
                    for (var c = 0; c < g.Channels; c++)
                        dx[ArgMax(g, x, b, oh, ow, c)] += dy[g.OutIndex(b, oh, ow, c)];
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_maxpool2d_backward_f32", [c.In(0), c.In(1), c.Out, .. Geometry.KernelArguments]);
}

/// <summary>y = the mean of each window.</summary>
public sealed class AvgPool2dOp(int kernelH, int kernelW, int strideH, int strideW) : Pool2dOp(kernelH, kernelW, strideH, strideW)
{
    public override string Name => "avgpool2d";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        var g = Geometry(a.Node);
        var count = T.CreateChecked(g.KernelH * g.KernelW);
        for (var b = 0; b < g.Batch; b++)
            for (var oh = 0; oh < g.OutH; oh++)
                for (var ow = 0; ow < g.OutW; ow++)
                    for (var c = 0; c < g.Channels; c++)
                    {
                        var acc = T.Zero;
                        for (var kh = 0; kh < g.KernelH; kh++)
                            for (var kw = 0; kw < g.KernelW; kw++)
                                acc += x[g.InIndex(b, oh * g.StrideH + kh, ow * g.StrideW + kw, c)];
                        y[g.OutIndex(b, oh, ow, c)] = acc / count;
                    }
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new AvgPool2dGradOp(Geometry(ctx.Node)), [ctx.GradOutput], "grad." + ctx.Input(0).Name, null)];
}

/// <summary>dx = each window's dy / (KH·KW) spread over the window, summed where windows overlap. Input: dy; output [B,H,W,C].</summary>
public sealed class AvgPool2dGradOp(PoolGeometry geometry) : Op
{
    public PoolGeometry Geometry { get; } = geometry;

    public override string Name => "avgpool2d_backward";
    public override string KernelFamily => "pool";
    public override string Describe() => $"avgpool2d_backward({Geometry})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 && s[0].Equals(Geometry.OutputShape) ? null : $"dy {Geometry.OutputShape} expected";
        return error is null ? Geometry.InputShape : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, dx) = (a.In(0), a.Out);
        var g = Geometry;
        var count = T.CreateChecked(g.KernelH * g.KernelW);
        Array.Fill(dx, T.Zero);
        for (var b = 0; b < g.Batch; b++)
            for (var oh = 0; oh < g.OutH; oh++)
                for (var ow = 0; ow < g.OutW; ow++)
                    for (var c = 0; c < g.Channels; c++)
                    {
                        var share = dy[g.OutIndex(b, oh, ow, c)] / count;
                        for (var kh = 0; kh < g.KernelH; kh++)
                            for (var kw = 0; kw < g.KernelW; kw++)
                                dx[g.InIndex(b, oh * g.StrideH + kh, ow * g.StrideW + kw, c)] += share;
                    }
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_avgpool2d_backward_f32", [c.In(0), c.Out, .. Geometry.KernelArguments]);
}

public static class PoolingGraphExtensions
{
    /// <summary>Max pooling with a square window; the stride defaults to the window.</summary>
    public static Tensor MaxPool2d(this GraphBuilder g, Tensor x, int kernel, int? stride = null) =>
        g.Apply(new MaxPool2dOp(kernel, kernel, stride ?? kernel, stride ?? kernel), x);

    public static Tensor MaxPool2d(this GraphBuilder g, Tensor x, int kernelH, int kernelW, int strideH, int strideW) =>
        g.Apply(new MaxPool2dOp(kernelH, kernelW, strideH, strideW), x);

    /// <summary>Average pooling with a square window; the stride defaults to the window.</summary>
    public static Tensor AvgPool2d(this GraphBuilder g, Tensor x, int kernel, int? stride = null) =>
        g.Apply(new AvgPool2dOp(kernel, kernel, stride ?? kernel, stride ?? kernel), x);

    public static Tensor AvgPool2d(this GraphBuilder g, Tensor x, int kernelH, int kernelW, int strideH, int strideW) =>
        g.Apply(new AvgPool2dOp(kernelH, kernelW, strideH, strideW), x);
}
