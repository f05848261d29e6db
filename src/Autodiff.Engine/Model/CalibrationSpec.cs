using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// <c>calibration:</c> — samples of the model's input, [N, ...input shape] in a <c>.npy</c> file,
/// that the build runs through the float model to find the range of every tensor a quantised
/// (<c>quantize: int8</c>) layer reads or writes.
/// </summary>
/// <param name="Written">The path as written in the model file.</param>
/// <param name="Samples">The array, checked against the input's per-sample shape.</param>
public sealed record CalibrationSpec(string Written, NpyArray Samples, SourceLocation Location)
{
    public int SampleCount => Samples.Shape[0];
}

/// <summary>What <c>quantize:</c> may say, and which layers have int8 kernels.</summary>
public static class Quantization
{
    public const string Int8 = "int8";

    /// <summary>
    /// Layer keywords a frozen int8 part of a model may hold: those with int8 kernels, shape-only
    /// layers, a ReLU (folded into the layer before it, or a clamp) and a batchnorm folded into
    /// the conv or linear layer before it.
    /// </summary>
    public static IReadOnlyList<string> Keywords { get; } =
        ["linear", "conv2d", "depthwise_conv2d", "relu", "maxpool2d", "avgpool2d", "global_avgpool", "flatten", "reshape", "batchnorm"];
}
