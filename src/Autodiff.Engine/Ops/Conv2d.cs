using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// 2-D convolution (cross-correlation, as every framework), NHWC activations, OHWI weights:
//   y[b,oh,ow,f] = bias[f] + Σ_{kh,kw,c} x[b, oh·sh + kh − pad_top, ow·sw + kw − pad_left, c] · w[f,kh,kw,c]
// with taps outside the input reading zero. x [B,H,W,C], w [F,KH,KW,C], bias [F], y [B,OH,OW,F].
// Kernels: kernels/*/conv.c. Every kernel takes the same geometry arguments, in the order of
// Conv2dGeometry.KernelArguments.

public enum Conv2dPadding
{
    /// <summary>No padding: output = floor((in − kernel) / stride) + 1.</summary>
    Valid,
    /// <summary>TensorFlow/Keras "same": output = ceil(in / stride), the odd pad row/column at the bottom/right.</summary>
    Same,
}

/// <summary>Everything a convolution kernel needs to know about sizes, padding included.</summary>
public sealed record Conv2dGeometry(
    int Batch, int InH, int InW, int InC, int OutH, int OutW, int Filters,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadTop, int PadLeft)
{
    /// <summary>Output size and leading pad along one spatial axis, or null when the kernel does not fit.</summary>
    public static (int Out, int PadBefore)? Axis(int size, int kernel, int stride, Conv2dPadding padding)
    {
        if (padding == Conv2dPadding.Valid)
            return size < kernel ? null : ((size - kernel) / stride + 1, 0);
        var output = (size + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + kernel - size, 0);
        return (output, total / 2);
    }

    /// <summary>The geometry of x [B,H,W,C] convolved with w [F,KH,KW,C], or null with a reason.</summary>
    public static Conv2dGeometry? From(Shape x, Shape w, int strideH, int strideW, Conv2dPadding padding, out string? error)
    {
        error = null;
        if (x.Rank != 4) { error = $"input must be [batch, height, width, channels] (NHWC), got {x}"; return null; }
        if (w.Rank != 4 || w[3] != x[3]) { error = $"weight must be [filters, kh, kw, {x[3]}] (OHWI), got {w}"; return null; }
        var h = Axis(x[1], w[1], strideH, padding);
        var v = Axis(x[2], w[2], strideW, padding);
        if (h is null || v is null)
        {
            error = $"a {w[1]}x{w[2]} kernel does not fit a {x[1]}x{x[2]} input without padding";
            return null;
        }
        return new Conv2dGeometry(x[0], x[1], x[2], x[3], h.Value.Out, v.Value.Out, w[0],
            w[1], w[2], strideH, strideW, h.Value.PadBefore, v.Value.PadBefore);
    }

    public Shape InputShape => new(Batch, InH, InW, InC);
    public Shape WeightShape => new(Filters, KernelH, KernelW, InC);
    public Shape OutputShape => new(Batch, OutH, OutW, Filters);

    /// <summary>The window along height and width, which the reference loops walk.</summary>
    internal ConvWindow Window =>
        new(new WindowAxis(InH, OutH, KernelH, StrideH, PadTop), new WindowAxis(InW, OutW, KernelW, StrideW, PadLeft));

    /// <summary>batch, in_h, in_w, in_c, out_h, out_w, filters, k_h, k_w, stride_h, stride_w, pad_top, pad_left.</summary>
    public object[] KernelArguments =>
        [Batch, InH, InW, InC, OutH, OutW, Filters, KernelH, KernelW, StrideH, StrideW, PadTop, PadLeft];

    public override string ToString() =>
        $"kernel={KernelH}x{KernelW}, stride={StrideH}x{StrideW}, pad={PadTop},{PadLeft}";
}

/// <summary>Forward convolution. Inputs: x [B,H,W,C], w [F,KH,KW,C], optional bias [F].</summary>
public sealed class Conv2dOp : Op
{
    public Conv2dOp(int strideH = 1, int strideW = 1, Conv2dPadding padding = Conv2dPadding.Valid)
    {
        if (strideH <= 0 || strideW <= 0) throw new ArgumentOutOfRangeException(nameof(strideH), "strides are positive");
        StrideH = strideH;
        StrideW = strideW;
        Padding = padding;
    }

    public int StrideH { get; }
    public int StrideW { get; }
    public Conv2dPadding Padding { get; }

    public override string Name => "conv2d";
    public override string KernelFamily => "conv";

    public override string Describe() =>
        $"conv2d(stride={StrideH}x{StrideW}, padding={Padding.ToString().ToLowerInvariant()})";

    public Conv2dGeometry Geometry(Node node) =>
        Conv2dGeometry.From(node.Input(0).Shape, node.Input(1).Shape, StrideH, StrideW, Padding, out _)
        ?? throw new InvalidOperationException($"{node} has invalid shapes");

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count is < 2 or > 3) { error = "conv2d takes x, weight and an optional bias"; return null; }
        var geometry = Conv2dGeometry.From(s[0], s[1], StrideH, StrideW, Padding, out error);
        if (geometry is null) return null;
        if (s.Count == 3 && (s[2].Rank != 1 || s[2][0] != s[1][0])) { error = $"bias must be [{s[1][0]}], got {s[2]}"; return null; }
        return geometry.OutputShape;
    }

    public override long MultiplyAccumulates(Node node) =>
        node.Out.Shape.Count * (long)node.Input(1).Shape[1] * node.Input(1).Shape[2] * node.Input(1).Shape[3];

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, w, y) = (a.In(0), a.In(1), a.Out);
        var bias = a.Inputs.Count == 3 ? a.In(2) : null;
        var g = Geometry(a.Node);
        var window = g.Window;
        for (var b = 0; b < g.Batch; b++)
            for (var oh = 0; oh < g.OutH; oh++)
                for (var ow = 0; ow < g.OutW; ow++)
                    for (var f = 0; f < g.Filters; f++)
                    {
                        var acc = bias is null ? T.Zero : bias[f];
                        foreach (var t in window.TapsOf(oh, ow))
                        {
                            var xo = ((b * g.InH + t.Ih) * g.InW + t.Iw) * g.InC;
                            var wo = ((f * g.KernelH + t.Kh) * g.KernelW + t.Kw) * g.InC;
                            for (var c = 0; c < g.InC; c++) acc += x[xo + c] * w[wo + c];
                        }
                        y[((b * g.OutH + oh) * g.OutW + ow) * g.Filters + f] = acc;
                    }
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var g = ctx.Builder;
        var dy = ctx.GradOutput;
        var geometry = Geometry(ctx.Node);
        var grads = new Tensor?[ctx.Node.Inputs.Count];
        if (ctx.NeedsGradient(0))
            grads[0] = g.Apply(new Conv2dInputGradOp(geometry), [dy, ctx.Input(1)], "grad." + ctx.Input(0).Name, null);
        if (ctx.NeedsGradient(1))
            grads[1] = g.Apply(new Conv2dWeightGradOp(geometry), [dy, ctx.Input(0)], "grad." + ctx.Input(1).Name, null);
        if (grads.Length == 3 && ctx.NeedsGradient(2))
            grads[2] = g.Apply(new BiasGradOp(), [dy], "grad." + ctx.Input(2).Name, null);
        return grads;
    }

    public override void Emit(IKernelCallWriter c)
    {
        var bias = c.Node.Inputs.Count == 3 ? c.In(2) : "NULL";
        c.Call("ad_conv2d_f32", [c.In(0), c.In(1), bias, c.Out, .. Geometry(c.Node).KernelArguments]);
    }
}

/// <summary>
/// dx[b,ih,iw,c] = Σ over the taps (oh, ow, kh, kw) that read x[b,ih,iw,c] and every filter f of
/// dy[b,oh,ow,f] · w[f,kh,kw,c]. Inputs: dy [B,OH,OW,F], w [F,KH,KW,C]; output [B,H,W,C].
/// </summary>
public sealed class Conv2dInputGradOp(Conv2dGeometry geometry) : Op
{
    public Conv2dGeometry Geometry { get; } = geometry;

    public override string Name => "conv2d_backward_input";
    public override string KernelFamily => "conv";
    public override string Describe() => $"conv2d_backward_input({Geometry})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(Geometry.OutputShape) && s[1].Equals(Geometry.WeightShape)
            ? null : $"dy {Geometry.OutputShape} and w {Geometry.WeightShape} expected";
        return error is null ? Geometry.InputShape : null;
    }

    public override long MultiplyAccumulates(Node node) =>
        (long)Geometry.Batch * Geometry.OutH * Geometry.OutW * Geometry.Filters * Geometry.KernelH * Geometry.KernelW * Geometry.InC;

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, w, dx) = (a.In(0), a.In(1), a.Out);
        var g = Geometry;
        var window = g.Window;
        for (var b = 0; b < g.Batch; b++)
            for (var ih = 0; ih < g.InH; ih++)
                for (var iw = 0; iw < g.InW; iw++)
                    for (var c = 0; c < g.InC; c++)
                    {
                        var acc = T.Zero;
                        foreach (var t in window.TapsReading(ih, iw))
                        {
                            var dyo = ((b * g.OutH + t.Oh) * g.OutW + t.Ow) * g.Filters;
                            for (var f = 0; f < g.Filters; f++)
                                acc += dy[dyo + f] * w[((f * g.KernelH + t.Kh) * g.KernelW + t.Kw) * g.InC + c];
                        }
                        dx[((b * g.InH + ih) * g.InW + iw) * g.InC + c] = acc;
                    }
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_conv2d_backward_input_f32", [c.In(0), c.In(1), c.Out, .. Geometry.KernelArguments]);
}

/// <summary>
/// dw[f,kh,kw,c] = Σ_{b,oh,ow} dy[b,oh,ow,f] · x[b, oh·sh + kh − pad_top, ow·sw + kw − pad_left, c].
/// Inputs: dy [B,OH,OW,F], x [B,H,W,C]; output [F,KH,KW,C]. Fused with its update, each weight's
/// gradient is one call of <c>ad_conv2d_backward_weight_element_f32</c>, applied at once.
/// </summary>
public sealed class Conv2dWeightGradOp(Conv2dGeometry geometry) : Op, IFusedGradient
{
    public Conv2dGeometry Geometry { get; } = geometry;

    public override string Name => "conv2d_backward_weight";
    public override string KernelFamily => "conv";
    public override string Describe() => $"conv2d_backward_weight({Geometry})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(Geometry.OutputShape) && s[1].Equals(Geometry.InputShape)
            ? null : $"dy {Geometry.OutputShape} and x {Geometry.InputShape} expected";
        return error is null ? Geometry.WeightShape : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, x, dw) = (a.In(0), a.In(1), a.Out);
        var g = Geometry;
        var tile = g.KernelH * g.KernelW * g.InC;
        for (var f = 0; f < g.Filters; f++) EvaluateFilter(dy, x, dw.AsSpan(f * tile, tile), f);
    }

    private void EvaluateFilter<T>(T[] dy, T[] x, Span<T> dw, int f) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var g = Geometry;
        var window = g.Window;
        for (var kh = 0; kh < g.KernelH; kh++)
            for (var kw = 0; kw < g.KernelW; kw++)
                for (var c = 0; c < g.InC; c++)
                {
                    var acc = T.Zero;
                    for (var b = 0; b < g.Batch; b++)
                        foreach (var t in window.OutputsThrough(kh, kw))
                            acc += dy[((b * g.OutH + t.Oh) * g.OutW + t.Ow) * g.Filters + f]
                                 * x[((b * g.InH + t.Ih) * g.InW + t.Iw) * g.InC + c];
                    dw[(kh * g.KernelW + kw) * g.InC + c] = acc;
                }
    }

    public override long MultiplyAccumulates(Node node) =>
        (long)Geometry.Batch * Geometry.OutH * Geometry.OutW * Geometry.Filters * Geometry.KernelH * Geometry.KernelW * Geometry.InC;

    public override void Emit(IKernelCallWriter c)
    {
        c.Line($"for (uint32_t k = 0; k < {c.Node.Out.Shape.Count}u; ++k) {{");
        c.Line($"{c.Out}[k] = {ElementCall(c)};");
        c.Line("}");
    }

    public void EmitFused(IKernelCallWriter c, BoundUpdate update)
    {
        c.Line($"for (uint32_t k = 0; k < {c.Node.Out.Shape.Count}u; ++k) {{");
        c.Line($"const float g = {ElementCall(c)};");
        update.Element("g", "k");
        c.Line("}");
    }

    private string ElementCall(IKernelCallWriter c) =>
        c.Expression("ad_conv2d_backward_weight_element_f32", [c.In(0), c.In(1), .. Geometry.KernelArguments, "k"]);
}

public static class Conv2dGraphExtensions
{
    /// <summary>Convolution of x [B,H,W,C] with w [F,KH,KW,C] (+ bias [F]), the same stride along both axes.</summary>
    public static Tensor Conv2d(this GraphBuilder g, Tensor x, Tensor w, Tensor? bias = null,
        int stride = 1, Conv2dPadding padding = Conv2dPadding.Valid) =>
        g.Conv2d(x, w, bias, stride, stride, padding);

    /// <summary>Convolution with separate vertical and horizontal strides.</summary>
    public static Tensor Conv2d(this GraphBuilder g, Tensor x, Tensor w, Tensor? bias,
        int strideH, int strideW, Conv2dPadding padding = Conv2dPadding.Valid) =>
        g.Apply(new Conv2dOp(strideH, strideW, padding), bias is null ? [x, w] : [x, w, bias]);
}
