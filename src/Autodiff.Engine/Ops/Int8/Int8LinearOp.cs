using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops.Int8;

// Frozen int8 fully connected layer: x int8 [B,in], w [units, in], y int8 [B,units]
//   acc[b,u] = bias[u] + Σ_i (x[b,i] + input_offset) · w[u,i]
//   y = clamp(requantize(acc, multiplier[u], shift[u]) + output_offset, act_min, act_max)
// Kernels: kernels/*/int8.c (ad_linear_s8; CMSIS-NN's per-channel fully connected s8).

/// <summary>An int8 linear layer with its constants.</summary>
public sealed class Int8LinearOp(int batch, int inFeatures, int units, Int8LayerData data) : Op, IFlashData, IScratchUser
{
    public int Batch { get; } = batch;
    public int InFeatures { get; } = inFeatures;
    public int Units { get; } = units;
    public Int8LayerData Data { get; } = data;

    public override string Name => "linear_s8";
    public override string KernelFamily => Int8Family.Name;
    public override string Describe() => $"linear_s8({InFeatures}->{Units}, {Data.Describe()})";
    public override ElementType OutputElementType(IReadOnlyList<Tensor> inputs) => ElementType.Int8;
    public long FlashBytes => Data.FlashBytes;
    public long ParameterCount => Data.ParameterCount;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 && s[0].Equals(new Shape(Batch, InFeatures)) ? null : $"x [{Batch}, {InFeatures}] expected";
        return error is null ? new Shape(Batch, Units) : null;
    }

    public override long MultiplyAccumulates(Node node) => (long)Batch * InFeatures * Units;

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y, d) = (a.In(0), a.Out, Data);
        for (var b = 0; b < Batch; b++)
            for (var u = 0; u < Units; u++)
            {
                var acc = d.Bias?[u] ?? 0;
                for (var i = 0; i < InFeatures; i++)
                    acc += (int.CreateTruncating(x[b * InFeatures + i]) + d.InputOffset) * d.Weight[u * InFeatures + i];
                y[b * Units + u] = T.CreateChecked(d.Finish(acc, u));
            }
    }

    public long ScratchBytes(Node node, string implementation, BoardSpec board) => implementation switch
    {
        KernelSelection.Cmsis => CmsisNnScratch.Linear(Int8Family.Target(board), Batch, InFeatures, Units),
        KernelSelection.Armv7em => Armv7emInt8Scratch.Linear(InFeatures),
        _ => 0,
    };

    public void EmitFlashData(IFlashDataWriter w)
    {
        Int8Family.WriteTables(w, Data, $"[{Units}, {InFeatures}]");
        w.Line($"static const ad_linear_s8_t {w.Name("params")} = {{");
        Int8Family.WriteCommonFields(w, Data);
        w.Line($"    .scratch_bytes = {w.ScratchBytes}u,");
        w.Line($"    .batch = {Batch}u, .in = {InFeatures}u, .units = {Units}u,");
        w.Line("};");
    }

    public override void Emit(IKernelCallWriter c) => c.Call("ad_linear_s8", "&" + c.FlashData("params"), c.In(0), c.Out, c.Scratch);
}
