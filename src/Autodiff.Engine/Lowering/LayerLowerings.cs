using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Lowering;

/// <summary>
/// How each layer keyword of the model language becomes IR nodes. The keyword's arguments are
/// already validated by the model loader; shape rules live in the ops, which report mismatches.
/// Per-sample axes from the model file become full-tensor axes here (+1 for the batch dimension).
/// </summary>
internal static class LayerLowerings
{
    public static readonly IReadOnlyDictionary<string, Func<LayerContext, Tensor>> ByKeyword = Build();

    private static Dictionary<string, Func<LayerContext, Tensor>> Build()
    {
        var lowerings = new Dictionary<string, Func<LayerContext, Tensor>>(StringComparer.Ordinal)
        {
            ["linear"] = Linear,
            ["conv2d"] = Conv2d,
            ["depthwise_conv2d"] = DepthwiseConv2d,
            ["batchnorm"] = Batchnorm.Lower,
            // The mean over H and W of NHWC: the mean reduction's C loops and gradient serve as they are.
            ["global_avgpool"] = c => c.Builder.Mean(NhwcInput(c, "global_avgpool"), [1, 2]),
            ["maxpool2d"] = c => Pool(c, max: true),
            ["avgpool2d"] = c => Pool(c, max: false),
            ["dropout"] = c => c.Builder.Dropout(c.X, c.Args.Float("p", 0.5, c.Diagnostics), DropoutSeed(c)),
            ["softmax"] = c => c.Builder.Softmax(c.X, FullAxis(c, c.Args.Int("axis", -1, c.Diagnostics))),
            ["log_softmax"] = c => c.Builder.LogSoftmax(c.X, FullAxis(c, c.Args.Int("axis", -1, c.Diagnostics))),
            ["add"] = c => c.Builder.Add(c.Operands[0], c.Operands[1]),
            ["sub"] = c => c.Builder.Sub(c.Operands[0], c.Operands[1]),
            ["mul"] = c => c.Builder.Mul(c.Operands[0], c.Operands[1]),
            ["div"] = c => c.Builder.Div(c.Operands[0], c.Operands[1]),
            ["matmul"] = c => c.Builder.MatMul(c.Operands[0], c.Operands[1]),
            ["transpose"] = c => c.Builder.Transpose(c.X, [0, .. PerSampleAxes(c, PerSampleList(c, "perm") ?? DefaultPermutation(c))]),
            ["sum"] = c => c.Builder.Sum(c.X, ReducedAxes(c), KeepDims(c)),
            ["mean"] = c => c.Builder.Mean(c.X, ReducedAxes(c), KeepDims(c)),
            ["max"] = c => c.Builder.Max(c.X, ReducedAxes(c), KeepDims(c)),
            ["flatten"] = c => c.Builder.Flatten(c.X),
            ["reshape"] = c => c.Builder.Reshape(c.X, PerSampleList(c, "shape")?.ToArray() ?? []),
            ["broadcast"] = c => c.Builder.Broadcast(c.X, PerSampleList(c, "shape")?.ToArray() ?? []),
            ["squeeze"] = c => c.Builder.Squeeze(c.X, PerSampleList(c, "axes") is { } axes ? PerSampleAxes(c, axes) : []),
            ["unsqueeze"] = c => c.Builder.Unsqueeze(c.X, PerSampleAxes(c, PerSampleList(c, "axes") ?? [], outputRankGrowth: PerSampleList(c, "axes")?.Count ?? 0)),
        };
        // Activations and math functions configure themselves from their arguments.
        foreach (var (keyword, function) in ElementwiseFunctions.ByKeyword)
            lowerings[keyword] = c => c.Builder.Apply(function.Configure(c.Args, c.Diagnostics), c.X);
        return lowerings;
    }

    private static IReadOnlyList<int>? PerSampleList(LayerContext c, string name) =>
        c.Args.Has(name) ? c.Args.IntList(name, c.Diagnostics, allowScalar: true) : null;

    /// <summary>The reduced axes as full-tensor axes; without <c>axes:</c>, every per-sample axis (never the batch).</summary>
    private static int[] ReducedAxes(LayerContext c) =>
        PerSampleList(c, "axes") is { } axes ? PerSampleAxes(c, axes) : Enumerable.Range(1, c.X.Shape.Rank - 1).ToArray();

    /// <summary>
    /// Per-sample axes from the model file (negative ones count from the end of the per-sample
    /// shape) as axes of the batched tensor. An axis that would reach the batch is an error.
    /// <paramref name="outputRankGrowth"/> is for ops whose axes name output positions (unsqueeze).
    /// </summary>
    private static int[] PerSampleAxes(LayerContext c, IReadOnlyList<int> axes, int outputRankGrowth = 0)
    {
        var rank = c.X.Shape.Rank - 1 + outputRankGrowth;
        return axes.Select(a =>
        {
            var axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank)
                throw Error(c, $"axis {a} is out of range for a per-sample rank of {rank} (the batch dimension cannot be named)");
            return axis + 1;
        }).ToArray();
    }

    /// <summary>Without <c>perm:</c>, transpose reverses the per-sample dimensions.</summary>
    private static int[] DefaultPermutation(LayerContext c) => Enumerable.Range(0, c.X.Shape.Rank - 1).Reverse().ToArray();

    private static bool KeepDims(LayerContext c) => c.Args.Bool("keepdims", false, c.Diagnostics);

    private static Tensor Linear(LayerContext c)
    {
        var units = c.Args.Int("units", 1, c.Diagnostics);
        var inFeatures = c.X.Shape[-1];
        var (w, b) = Batchnorm.WeightAndBias(c, [units, inFeatures], inFeatures);
        return c.Builder.Linear(c.X, w, b);
    }

    private static Tensor Conv2d(LayerContext c)
    {
        var filters = c.Args.Int("filters", 1, c.Diagnostics);
        var kernel = c.Args.IntOrList("kernel", 2, c.Diagnostics) ?? [1, 1];
        var stride = c.Args.IntOrList("stride", 2, c.Diagnostics) ?? [1, 1];
        var padding = Padding(c);
        var channels = NhwcInput(c, "conv2d").Shape[3];
        var fanIn = kernel[0] * kernel[1] * channels;
        var (w, b) = Batchnorm.WeightAndBias(c, [filters, kernel[0], kernel[1], channels], fanIn);
        return c.Builder.Conv2d(c.X, w, b, stride[0], stride[1], padding);
    }

    private static Tensor DepthwiseConv2d(LayerContext c)
    {
        var kernel = c.Args.IntOrList("kernel", 2, c.Diagnostics) ?? [1, 1];
        var stride = c.Args.IntOrList("stride", 2, c.Diagnostics) ?? [1, 1];
        var multiplier = c.Args.Int("depth_multiplier", 1, c.Diagnostics);
        var channels = NhwcInput(c, "depthwise_conv2d").Shape[3];
        var outputs = (long)channels * multiplier;
        if (outputs > int.MaxValue)
            throw Error(c, $"depthwise_conv2d would have {channels} x {multiplier} output channels");
        // Pretrained depthwise weights with k filters per channel, loaded without depth_multiplier: k.
        if (c.Layer.Weights is { Weight.Shape: [_, _, var found] } weights && found != outputs && found % channels == 0)
            throw new GraphBuildException(new Diagnostics.Diagnostic(LoweringCodes.WeightsShape, Diagnostics.Severity.Error,
                $"'{weights.Written}' holds depthwise weights for {found} output channels, {found / channels} per input channel, " +
                $"but layer '{c.Layer.DisplayName}' has depth_multiplier {multiplier}; write depth_multiplier: {found / channels}",
                weights.Location));
        // Each output channel sees one input channel: fan-in is the window alone.
        var (w, b) = Batchnorm.WeightAndBias(c, [kernel[0], kernel[1], (int)outputs], kernel[0] * kernel[1]);
        return c.Builder.DepthwiseConv2d(c.X, w, b, multiplier, stride[0], stride[1], Padding(c));
    }

    private static Conv2dPadding Padding(LayerContext c) =>
        c.Args.Enum("padding", c.Diagnostics, "valid", "same") == "same" ? Conv2dPadding.Same : Conv2dPadding.Valid;

    /// <summary>The layer's input, which must be an NHWC image batch [batch, height, width, channels].</summary>
    private static Tensor NhwcInput(LayerContext c, string keyword) => c.X.Shape.Rank == 4 ? c.X
        : throw Error(c, $"{keyword} needs an NHWC input [batch, height, width, channels], got {c.X.Shape}");

    private static Tensor Pool(LayerContext c, bool max)
    {
        var kernel = c.Args.IntOrList("kernel", 2, c.Diagnostics) ?? [2, 2];
        var stride = c.Args.Has("stride") ? c.Args.IntOrList("stride", 2, c.Diagnostics) ?? kernel : kernel;
        return max
            ? c.Builder.MaxPool2d(c.X, kernel[0], kernel[1], stride[0], stride[1])
            : c.Builder.AvgPool2d(c.X, kernel[0], kernel[1], stride[0], stride[1]);
    }

    /// <summary>Each dropout layer gets its own mask stream, derived from the model seed and its position.</summary>
    private static uint DropoutSeed(LayerContext c) => unchecked(c.Model.Init.Seed * 2654435761u + (uint)c.Layer.Index + 1u);

    /// <summary>A per-sample axis (negative counts from the end) as an axis of the batched tensor.</summary>
    internal static int FullAxis(LayerContext c, int perSampleAxis) => PerSampleAxes(c, [perSampleAxis])[0];

    internal static GraphBuildException Error(LayerContext c, string message) =>
        new(new Diagnostics.Diagnostic(LoweringCodes.BadAttribute, Diagnostics.Severity.Error, message, c.Layer.Location));
}
