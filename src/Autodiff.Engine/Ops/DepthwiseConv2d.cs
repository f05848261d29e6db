using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Depthwise 2-D convolution (cross-correlation), NHWC activations, weights [KH, KW, C·M]: every
// input channel c is convolved on its own with M = depth_multiplier filters, output channel
// o = c·M + m reading input channel c:
//   y[b,oh,ow,o] = bias[o] + Σ_{kh,kw} x[b, oh·sh + kh − pad_top, ow·sw + kw − pad_left, o / M] · w[kh,kw,o]
// with taps outside the input reading zero. x [B,H,W,C], w [KH,KW,C·M], bias [C·M], y [B,OH,OW,C·M].
// The weight layout is TFLite's and CMSIS-NN's depthwise layout [1, KH, KW, C·M] without the
// leading 1, so a converted depthwise layer loads as is. Padding follows Conv2dGeometry.Axis.
// Kernels: kernels/*/depthwise.c, all taking the geometry arguments in the order of
// DepthwiseConv2dGeometry.KernelArguments.

/// <summary>Everything a depthwise kernel needs to know about sizes, padding included; OutC = InC · DepthMultiplier.</summary>
public sealed record DepthwiseConv2dGeometry(
    int Batch, int InH, int InW, int InC, int OutH, int OutW, int OutC,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadTop, int PadLeft, int DepthMultiplier)
{
    /// <summary>The geometry of x [B,H,W,C] with w [KH,KW,C·M], or null with a reason.</summary>
    public static DepthwiseConv2dGeometry? From(Shape x, Shape w, int depthMultiplier, int strideH, int strideW,
        Conv2dPadding padding, out string? error)
    {
        error = null;
        if (x.Rank != 4) { error = $"input must be [batch, height, width, channels] (NHWC), got {x}"; return null; }
        var outC = (long)x[3] * depthMultiplier;
        if (w.Rank != 3 || w[2] != outC)
        {
            error = $"weight must be [kh, kw, {outC}] (channels {x[3]} × depth_multiplier {depthMultiplier}), got {w}";
            return null;
        }
        var h = Conv2dGeometry.Axis(x[1], w[0], strideH, padding);
        var v = Conv2dGeometry.Axis(x[2], w[1], strideW, padding);
        if (h is null || v is null)
        {
            error = $"a {w[0]}x{w[1]} kernel does not fit a {x[1]}x{x[2]} input without padding";
            return null;
        }
        return new DepthwiseConv2dGeometry(x[0], x[1], x[2], x[3], h.Value.Out, v.Value.Out, (int)outC,
            w[0], w[1], strideH, strideW, h.Value.PadBefore, v.Value.PadBefore, depthMultiplier);
    }

    public Shape InputShape => new(Batch, InH, InW, InC);
    public Shape WeightShape => new(KernelH, KernelW, OutC);
    public Shape OutputShape => new(Batch, OutH, OutW, OutC);

    /// <summary>The window along height and width, which the reference loops walk.</summary>
    internal ConvWindow Window =>
        new(new WindowAxis(InH, OutH, KernelH, StrideH, PadTop), new WindowAxis(InW, OutW, KernelW, StrideW, PadLeft));

    /// <summary>Products of the forward pass, and of each gradient: one per output element and tap.</summary>
    public long MultiplyAccumulates => (long)Batch * OutH * OutW * OutC * KernelH * KernelW;

    /// <summary>batch, in_h, in_w, in_c, out_h, out_w, depth_multiplier, k_h, k_w, stride_h, stride_w, pad_top, pad_left.</summary>
    public object[] KernelArguments =>
        [Batch, InH, InW, InC, OutH, OutW, DepthMultiplier, KernelH, KernelW, StrideH, StrideW, PadTop, PadLeft];

    public override string ToString() =>
        $"kernel={KernelH}x{KernelW}, stride={StrideH}x{StrideW}, pad={PadTop},{PadLeft}, depth_multiplier={DepthMultiplier}";
}

/// <summary>Forward depthwise convolution. Inputs: x [B,H,W,C], w [KH,KW,C·M], optional bias [C·M].</summary>
public sealed class DepthwiseConv2dOp : Op
{
    public DepthwiseConv2dOp(int depthMultiplier = 1, int strideH = 1, int strideW = 1, Conv2dPadding padding = Conv2dPadding.Valid)
    {
        if (depthMultiplier <= 0) throw new ArgumentOutOfRangeException(nameof(depthMultiplier), "the depth multiplier is positive");
        if (strideH <= 0 || strideW <= 0) throw new ArgumentOutOfRangeException(nameof(strideH), "strides are positive");
        (DepthMultiplier, StrideH, StrideW, Padding) = (depthMultiplier, strideH, strideW, padding);
    }

    public int DepthMultiplier { get; }
    public int StrideH { get; }
    public int StrideW { get; }
    public Conv2dPadding Padding { get; }

    public override string Name => "depthwise_conv2d";
    public override string KernelFamily => "depthwise";

    public override string Describe() =>
        $"depthwise_conv2d(stride={StrideH}x{StrideW}, padding={Padding.ToString().ToLowerInvariant()}, depth_multiplier={DepthMultiplier})";

    public DepthwiseConv2dGeometry Geometry(Node node) =>
        DepthwiseConv2dGeometry.From(node.Input(0).Shape, node.Input(1).Shape, DepthMultiplier, StrideH, StrideW, Padding, out _)
        ?? throw new InvalidOperationException($"{node} has invalid shapes");

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        if (s.Count is < 2 or > 3) { error = "depthwise_conv2d takes x, weight and an optional bias"; return null; }
        var geometry = DepthwiseConv2dGeometry.From(s[0], s[1], DepthMultiplier, StrideH, StrideW, Padding, out error);
        if (geometry is null) return null;
        if (s.Count == 3 && (s[2].Rank != 1 || s[2][0] != geometry.OutC)) { error = $"bias must be [{geometry.OutC}], got {s[2]}"; return null; }
        return geometry.OutputShape;
    }

    public override long MultiplyAccumulates(Node node) => Geometry(node).MultiplyAccumulates;

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, w, y) = (a.In(0), a.In(1), a.Out);
        var bias = a.Inputs.Count == 3 ? a.In(2) : null;
        var g = Geometry(a.Node);
        var window = g.Window;
        for (var b = 0; b < g.Batch; b++)
            for (var oh = 0; oh < g.OutH; oh++)
                for (var ow = 0; ow < g.OutW; ow++)
                    for (var o = 0; o < g.OutC; o++)
                    {
                        var acc = bias is null ? T.Zero : bias[o];
                        foreach (var t in window.TapsOf(oh, ow))
                            acc += x[((b * g.InH + t.Ih) * g.InW + t.Iw) * g.InC + o / g.DepthMultiplier]
                                 * w[(t.Kh * g.KernelW + t.Kw) * g.OutC + o];
                        y[((b * g.OutH + oh) * g.OutW + ow) * g.OutC + o] = acc;
                    }
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx)
    {
        var g = ctx.Builder;
        var dy = ctx.GradOutput;
        var geometry = Geometry(ctx.Node);
        var grads = new Tensor?[ctx.Node.Inputs.Count];
        if (ctx.NeedsGradient(0))
            grads[0] = g.Apply(new DepthwiseConv2dInputGradOp(geometry), [dy, ctx.Input(1)], "grad." + ctx.Input(0).Name, null);
        if (ctx.NeedsGradient(1))
            grads[1] = g.Apply(new DepthwiseConv2dWeightGradOp(geometry), [dy, ctx.Input(0)], "grad." + ctx.Input(1).Name, null);
        // The bias adds to every position's channel o, as conv2d's does: the sum of dy over all but the last axis.
        if (grads.Length == 3 && ctx.NeedsGradient(2))
            grads[2] = g.Apply(new BiasGradOp(), [dy], "grad." + ctx.Input(2).Name, null);
        return grads;
    }

    public override void Emit(IKernelCallWriter c)
    {
        var bias = c.Node.Inputs.Count == 3 ? c.In(2) : "NULL";
        c.Call("ad_depthwise_conv2d_f32", [c.In(0), c.In(1), bias, c.Out, .. Geometry(c.Node).KernelArguments]);
    }
}

/// <summary>
/// dx[b,ih,iw,c] = Σ over the taps (oh, ow, kh, kw) that read x[b,ih,iw,c] and the M output channels
/// o = c·M + m of dy[b,oh,ow,o] · w[kh,kw,o]. Inputs: dy [B,OH,OW,C·M], w [KH,KW,C·M]; output [B,H,W,C].
/// </summary>
public sealed class DepthwiseConv2dInputGradOp(DepthwiseConv2dGeometry geometry) : Op
{
    public DepthwiseConv2dGeometry Geometry { get; } = geometry;

    public override string Name => "depthwise_conv2d_backward_input";
    public override string KernelFamily => "depthwise";
    public override string Describe() => $"depthwise_conv2d_backward_input({Geometry})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(Geometry.OutputShape) && s[1].Equals(Geometry.WeightShape)
            ? null : $"dy {Geometry.OutputShape} and w {Geometry.WeightShape} expected";
        return error is null ? Geometry.InputShape : null;
    }

    public override long MultiplyAccumulates(Node node) => Geometry.MultiplyAccumulates;

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
                            var dyo = ((b * g.OutH + t.Oh) * g.OutW + t.Ow) * g.OutC;
                            var wo = (t.Kh * g.KernelW + t.Kw) * g.OutC;
                            for (var o = c * g.DepthMultiplier; o < (c + 1) * g.DepthMultiplier; o++)
                                acc += dy[dyo + o] * w[wo + o];
                        }
                        dx[((b * g.InH + ih) * g.InW + iw) * g.InC + c] = acc;
                    }
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call("ad_depthwise_conv2d_backward_input_f32", [c.In(0), c.In(1), c.Out, .. Geometry.KernelArguments]);
}

/// <summary>
/// dw[kh,kw,o] = Σ_{b,oh,ow} dy[b,oh,ow,o] · x[b, oh·sh + kh − pad_top, ow·sw + kw − pad_left, o / M].
/// Inputs: dy [B,OH,OW,C·M], x [B,H,W,C]; output [KH,KW,C·M]. As conv2d's, every element is one
/// independent sum (<c>ad_depthwise_conv2d_backward_weight_element_f32</c>), so fused with its update
/// each value is applied as it is formed and the gradient is never stored.
/// </summary>
public sealed class DepthwiseConv2dWeightGradOp(DepthwiseConv2dGeometry geometry) : Op, IFusedGradient
{
    public DepthwiseConv2dGeometry Geometry { get; } = geometry;

    public override string Name => "depthwise_conv2d_backward_weight";
    public override string KernelFamily => "depthwise";
    public override string Describe() => $"depthwise_conv2d_backward_weight({Geometry})";

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(Geometry.OutputShape) && s[1].Equals(Geometry.InputShape)
            ? null : $"dy {Geometry.OutputShape} and x {Geometry.InputShape} expected";
        return error is null ? Geometry.WeightShape : null;
    }

    public override long MultiplyAccumulates(Node node) => Geometry.MultiplyAccumulates;

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, x, dw) = (a.In(0), a.In(1), a.Out);
        var g = Geometry;
        var window = g.Window;
        for (var kh = 0; kh < g.KernelH; kh++)
            for (var kw = 0; kw < g.KernelW; kw++)
                for (var o = 0; o < g.OutC; o++)
                {
                    var acc = T.Zero;
                    for (var b = 0; b < g.Batch; b++)
                        foreach (var t in window.OutputsThrough(kh, kw))
                            acc += dy[((b * g.OutH + t.Oh) * g.OutW + t.Ow) * g.OutC + o]
                                 * x[((b * g.InH + t.Ih) * g.InW + t.Iw) * g.InC + o / g.DepthMultiplier];
                    dw[(kh * g.KernelW + kw) * g.OutC + o] = acc;
                }
    }

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
        c.Expression("ad_depthwise_conv2d_backward_weight_element_f32", [c.In(0), c.In(1), .. Geometry.KernelArguments, "k"]);
}

public static class DepthwiseConv2dGraphExtensions
{
    /// <summary>Depthwise convolution of x [B,H,W,C] with w [KH,KW,C·M] (+ bias [C·M]).</summary>
    public static Tensor DepthwiseConv2d(this GraphBuilder g, Tensor x, Tensor w, Tensor? bias = null,
        int depthMultiplier = 1, int strideH = 1, int strideW = 1, Conv2dPadding padding = Conv2dPadding.Valid) =>
        g.Apply(new DepthwiseConv2dOp(depthMultiplier, strideH, strideW, padding), bias is null ? [x, w] : [x, w, bias]);
}
