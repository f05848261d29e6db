using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops.Int8;

// Frozen int8 pooling, NHWC, valid windows (no padding), input and output share one
// quantisation (TFLite's rule), so no requantisation:
//   max: y = max over the window;  average: y = (Σ ± count/2) / count, truncated (CMSIS-NN's rounding)
// A global average pool is an average over the whole map, its [B,1,1,C] output read as [B,C].
// Kernels: kernels/*/int8.c (ad_maxpool2d_s8, ad_avgpool2d_s8; CMSIS-NN's arm_max_pool_s8, arm_avgpool_s8).

/// <summary>An int8 max or average pool. Input int8 [B,H,W,C]; output int8 [B,OH,OW,C] or, for a global pool, [B,C].</summary>
public sealed class Int8PoolOp(bool max, int batch, int inH, int inW, int channels, int kernelH, int kernelW, int strideH, int strideW, Shape outputShape)
    : Op, IFlashData, IScratchUser
{
    public bool IsMax { get; } = max;
    public int Batch { get; } = batch;
    public int InH { get; } = inH;
    public int InW { get; } = inW;
    public int Channels { get; } = channels;
    public int KernelH { get; } = kernelH;
    public int KernelW { get; } = kernelW;
    public int StrideH { get; } = strideH;
    public int StrideW { get; } = strideW;
    public int OutH => (InH - KernelH) / StrideH + 1;
    public int OutW => (InW - KernelW) / StrideW + 1;
    public Shape OutputShape { get; } = outputShape;

    public override string Name => IsMax ? "maxpool2d_s8" : "avgpool2d_s8";
    public override string KernelFamily => Int8Family.Name;
    public override string Describe() => $"{Name}(kernel={KernelH}x{KernelW}, stride={StrideH}x{StrideW})";
    public override ElementType OutputElementType(IReadOnlyList<Tensor> inputs) => ElementType.Int8;
    public long FlashBytes => 0;
    public long ParameterCount => 0;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        var input = new Shape(Batch, InH, InW, Channels);
        error = s.Count == 1 && s[0].Equals(input) ? null : $"x {input} expected";
        if (error is null && OutputShape.Count != Batch * OutH * OutW * Channels) error = $"output {OutputShape} does not hold the pooled map";
        return error is null ? OutputShape : null;
    }

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        for (var b = 0; b < Batch; b++)
            for (var oh = 0; oh < OutH; oh++)
                for (var ow = 0; ow < OutW; ow++)
                    for (var c = 0; c < Channels; c++)
                    {
                        int best = -128, sum = 0, count = 0;
                        for (var kh = 0; kh < KernelH; kh++)
                            for (var kw = 0; kw < KernelW; kw++)
                            {
                                var v = int.CreateTruncating(x[((b * InH + oh * StrideH + kh) * InW + ow * StrideW + kw) * Channels + c]);
                                best = Math.Max(best, v);
                                sum += v;
                                count++;
                            }
                        var result = IsMax ? best : Int8Arithmetic.RoundedAverage(sum, count);
                        y[((b * OutH + oh) * OutW + ow) * Channels + c] = T.CreateChecked(Math.Clamp(result, -128, 127));
                    }
    }

    public long ScratchBytes(Node node, string implementation, BoardSpec board) =>
        implementation == KernelSelection.Cmsis && !IsMax ? CmsisNnScratch.AvgPool(Int8Family.Target(board), OutW, Channels) : 0;

    public void EmitFlashData(IFlashDataWriter w)
    {
        w.Line($"static const ad_pool_s8_t {w.Name("params")} = {{");
        w.Line($"    .act_min = -128, .act_max = 127, .scratch_bytes = {w.ScratchBytes}u,");
        w.Line($"    .batch = {Batch}u, .in_h = {InH}u, .in_w = {InW}u, .channels = {Channels}u, .out_h = {OutH}u, .out_w = {OutW}u,");
        w.Line($"    .k_h = {KernelH}u, .k_w = {KernelW}u, .stride_h = {StrideH}u, .stride_w = {StrideW}u, .pad_top = 0u, .pad_left = 0u,");
        w.Line("};");
    }

    public override void Emit(IKernelCallWriter c) =>
        c.Call(IsMax ? "ad_maxpool2d_s8" : "ad_avgpool2d_s8", "&" + c.FlashData("params"), c.In(0), c.Out, c.Scratch);
}
