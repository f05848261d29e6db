using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops.Int8;

// Frozen int8 convolution, regular or depthwise, NHWC:
//   acc[b,oh,ow,o] = bias[o] + Σ (x[b, ih, iw, c] + input_offset) · w[...]   over the taps inside the input
//   y = clamp(requantize(acc, multiplier[o], shift[o]) + output_offset, act_min, act_max)
// Regular: w [out_c, kh, kw, in_c] (OHWI), c runs over every input channel.
// Depthwise: w [kh, kw, out_c], output channel o = c·ch_mult + m reads input channel c only.
// Taps outside the input are skipped, which equals padding with the zero point (TFLite).
// Kernels: kernels/*/int8.c (ad_conv2d_s8, ad_depthwise_conv2d_s8; CMSIS-NN's s8 wrappers).

/// <summary>An int8 convolution with its constants. Input x int8 [B,H,W,C]; output int8 [B,OH,OW,out_c].</summary>
public sealed class Int8ConvOp(Conv2dGeometry geometry, int depthMultiplier, Int8LayerData data) : Op, IFlashData, IScratchUser
{
    /// <summary>Filters of <see cref="Geometry"/> is the number of output channels.</summary>
    public Conv2dGeometry Geometry { get; } = geometry;

    /// <summary>Output channels per input channel of a depthwise convolution; 0 for a regular one.</summary>
    public int DepthMultiplier { get; } = depthMultiplier;
    public bool IsDepthwise => DepthMultiplier > 0;
    public Int8LayerData Data { get; } = data;

    public override string Name => IsDepthwise ? "depthwise_conv2d_s8" : "conv2d_s8";
    public override string KernelFamily => Int8Family.Name;
    public override string Describe() => $"{Name}({Geometry}, {Data.Describe()})";
    public override ElementType OutputElementType(IReadOnlyList<Tensor> inputs) => ElementType.Int8;
    public long FlashBytes => Data.FlashBytes;
    public long ParameterCount => Data.ParameterCount;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 && s[0].Equals(Geometry.InputShape) ? null : $"x {Geometry.InputShape} expected";
        return error is null ? Geometry.OutputShape : null;
    }

    public override long MultiplyAccumulates(Node node) =>
        node.Out.Shape.Count * (long)Geometry.KernelH * Geometry.KernelW * (IsDepthwise ? 1 : Geometry.InC);

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y, g, d) = (a.In(0), a.Out, Geometry, Data);
        var outC = g.Filters;
        var window = g.Window;
        for (var b = 0; b < g.Batch; b++)
            for (var oh = 0; oh < g.OutH; oh++)
                for (var ow = 0; ow < g.OutW; ow++)
                    for (var o = 0; o < outC; o++)
                    {
                        var acc = d.Bias?[o] ?? 0;
                        foreach (var t in window.TapsOf(oh, ow))
                        {
                            var xo = ((b * g.InH + t.Ih) * g.InW + t.Iw) * g.InC;
                            if (IsDepthwise)
                            {
                                var c = o / DepthMultiplier;
                                acc += (int.CreateTruncating(x[xo + c]) + d.InputOffset) * d.Weight[(t.Kh * g.KernelW + t.Kw) * outC + o];
                            }
                            else
                            {
                                var wo = ((o * g.KernelH + t.Kh) * g.KernelW + t.Kw) * g.InC;
                                for (var c = 0; c < g.InC; c++)
                                    acc += (int.CreateTruncating(x[xo + c]) + d.InputOffset) * d.Weight[wo + c];
                            }
                        }
                        y[((b * g.OutH + oh) * g.OutW + ow) * outC + o] = T.CreateChecked(d.Finish(acc, o));
                    }
    }

    public long ScratchBytes(Node node, string implementation, BoardSpec board)
    {
        var g = Geometry;
        if (implementation == KernelSelection.Armv7em) return IsDepthwise ? Armv7emInt8Scratch.None : Armv7emInt8Scratch.Conv(g.InC, g.KernelH, g.KernelW, g.Filters);
        if (implementation != KernelSelection.Cmsis) return 0;
        var target = Int8Family.Target(board);
        return IsDepthwise
            ? CmsisNnScratch.Depthwise(target, g.Batch, g.InH, g.InW, g.InC, g.OutH, g.OutW, g.Filters, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadTop, g.PadLeft, DepthMultiplier)
            : CmsisNnScratch.Conv(target, g.Batch, g.InH, g.InW, g.InC, g.OutH, g.OutW, g.Filters, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadTop, g.PadLeft);
    }

    public void EmitFlashData(IFlashDataWriter w)
    {
        var g = Geometry;
        Int8Family.WriteTables(w, Data, IsDepthwise ? $"[{g.KernelH}, {g.KernelW}, {g.Filters}]" : $"[{g.Filters}, {g.KernelH}, {g.KernelW}, {g.InC}]");
        w.Line($"static const ad_conv_s8_t {w.Name("params")} = {{");
        Int8Family.WriteCommonFields(w, Data);
        w.Line($"    .scratch_bytes = {w.ScratchBytes}u,");
        w.Line($"    .batch = {g.Batch}u, .in_h = {g.InH}u, .in_w = {g.InW}u, .in_c = {g.InC}u, .out_h = {g.OutH}u, .out_w = {g.OutW}u, .out_c = {g.Filters}u,");
        w.Line($"    .k_h = {g.KernelH}u, .k_w = {g.KernelW}u, .stride_h = {g.StrideH}u, .stride_w = {g.StrideW}u, .pad_top = {g.PadTop}u, .pad_left = {g.PadLeft}u,");
        w.Line($"    .ch_mult = {Math.Max(DepthMultiplier, 1)}u,");
        w.Line("};");
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call(IsDepthwise ? "ad_depthwise_conv2d_s8" : "ad_conv2d_s8", "&" + c.FlashData("params"), c.In(0), c.Out, c.Scratch);
}
