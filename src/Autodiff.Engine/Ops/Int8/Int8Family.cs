using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;

namespace Autodiff.Engine.Ops.Int8;

/// <summary>What every int8 op shares: its kernel family and how its constants are written.</summary>
internal static class Int8Family
{
    /// <summary>kernels/portable/int8.c and kernels/cmsis/int8.c (CMSIS-NN's s8 kernels).</summary>
    public const string Name = KernelSelection.Int8Family;

    /// <summary>Which CMSIS-NN code the board's core compiles: Helium when it has MVE, else the DSP extension.</summary>
    public static CmsisNnTarget Target(BoardSpec board) => board.HasMve ? CmsisNnTarget.Mve : CmsisNnTarget.Dsp;

    /// <summary>The weight, bias, multiplier and shift tables of a layer.</summary>
    public static void WriteTables(IFlashDataWriter w, Int8LayerData d, string weightShape)
    {
        w.Table("weight", "int8_t", d.Weight.Select(v => (long)v).ToArray(), $"int8 weights {weightShape}, symmetric per output channel");
        if (d.Bias is { } bias) w.Table("bias", "int32_t", bias.Select(v => (long)v).ToArray(), "int32 bias, at scale input x weight");
        w.Table("multiplier", "int32_t", d.Multiplier.Select(v => (long)v).ToArray(), "requantisation multiplier (Q31) per output channel");
        w.Table("shift", "int32_t", d.Shift.Select(v => (long)v).ToArray(), "requantisation shift per output channel (positive: left)");
    }

    /// <summary>weight, bias, multiplier, shift, input_offset, output_offset, act_min, act_max.</summary>
    public static void WriteCommonFields(IFlashDataWriter w, Int8LayerData d)
    {
        w.Line($"    .weight = {w.Name("weight")}, .bias = {(d.Bias is null ? "NULL" : w.Name("bias"))}, .multiplier = {w.Name("multiplier")}, .shift = {w.Name("shift")},");
        w.Line($"    .input_offset = {d.InputOffset}, .output_offset = {d.OutputOffset}, .act_min = {d.ActMin}, .act_max = {d.ActMax},");
    }
}
