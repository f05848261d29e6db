using System.Runtime.CompilerServices;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Model;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Lowering;

/// <summary>
/// The <c>batchnorm</c> layer, inference form, over the last (channel) axis:
/// <c>y = gamma · (x − mean) / sqrt(var + eps) + beta</c>, with per-channel gamma, beta, mean and
/// var [C]. It has no op of its own: it lowers to broadcasting element-wise ops against [C]
/// tensors, whose backward rules give the gradients of x, gamma and beta. gamma and beta are
/// parameters (frozen with the layer); mean and var are always constants, and 1/sqrt(var + eps)
/// is computed once here, so the generated code holds it as a constant too.
/// <para>
/// Folding: a frozen batchnorm whose input is the output of a frozen <c>linear</c>, <c>conv2d</c>
/// or <c>depthwise_conv2d</c> that nothing else reads (no other layer, not the loss, not the model
/// output) is folded into that layer at build time: with s = gamma / sqrt(var + eps) per output
/// channel, w' = w · s and b' = (b − mean) · s + beta (a layer without bias gets b'), both constants.
/// The batchnorm then adds no node: its output is the folded layer's.
/// </para>
/// </summary>
internal static class Batchnorm
{
    /// <summary>Layers a batchnorm folds into, and whether their weight's output-channel axis is the first (else the last).</summary>
    private static readonly Dictionary<string, bool> FoldsInto = new(StringComparer.Ordinal)
    {
        ["linear"] = true,            // [units, in]
        ["conv2d"] = true,            // [filters, kh, kw, in_c]
        ["depthwise_conv2d"] = false, // [kh, kw, in_c·depth_multiplier]
    };

    public static Tensor Lower(LayerContext c)
    {
        if (FoldTarget(c.Model, c.Layer) is not null) return c.X; // the producer already applied it
        if (c.X.Shape.Rank < 2)
            throw LayerLowerings.Error(c, $"batchnorm normalises the last axis of a per-sample tensor, but its input is {c.X.Shape}");
        var channels = c.X.Shape[-1];
        var g = c.Builder;
        var stats = Statistics(c, c.Layer, channels);
        if (!c.Layer.Trainable)
        {
            // Nothing to train: y = x·s + (beta − mean·s), two nodes.
            var shift = stats.Scale.Select((s, i) => stats.Beta[i] - stats.Mean[i] * s);
            return g.Add(g.Mul(c.X, c.Persistent("scale", ToFloat(stats.Scale), [channels], trainable: false)),
                c.Persistent("shift", ToFloat(shift), [channels], trainable: false));
        }
        var gamma = c.Persistent("gamma", ToFloat(stats.Gamma), [channels], trainable: true);
        var beta = c.Persistent("beta", ToFloat(stats.Beta), [channels], trainable: true);
        var mean = c.Persistent("mean", ToFloat(stats.Mean), [channels], trainable: false);
        var invStd = c.Persistent("inv_std", ToFloat(stats.InvStd), [channels], trainable: false);
        return g.Add(g.Mul(g.Sub(c.X, mean), g.Mul(gamma, invStd)), beta);
    }

    /// <summary>
    /// The weight and bias of a <c>linear</c>, <c>conv2d</c> or <c>depthwise_conv2d</c> layer whose
    /// weight has shape <paramref name="weightShape"/>: its parameters, or, when a batchnorm folds
    /// into it, constants with the batchnorm applied (see the class comment).
    /// </summary>
    public static (Tensor Weight, Tensor? Bias) WeightAndBias(LayerContext c, int[] weightShape, int fanIn)
    {
        var channelFirst = FoldsInto[c.Layer.Keyword];
        var outputs = channelFirst ? weightShape[0] : weightShape[^1];
        var hasBias = c.Args.Bool("bias", true, c.Diagnostics);
        if (FoldedBatchnorm(c.Model, c.Layer) is not { } bn)
            return (c.Parameter("weight", 0, weightShape, fanIn), hasBias ? c.Parameter("bias", 1, [outputs], fanIn) : null);

        var w = c.Values("weight", 0, weightShape, fanIn);
        var b = hasBias ? c.Values("bias", 1, [outputs], fanIn) : new float[outputs];
        var stats = Statistics(c, bn, outputs);
        var perChannel = w.Length / outputs;
        var folded = new float[w.Length];
        for (var i = 0; i < w.Length; i++)
            folded[i] = (float)(w[i] * stats.Scale[channelFirst ? i / perChannel : i % outputs]);
        var bias = Enumerable.Range(0, outputs).Select(o => (b[o] - stats.Mean[o]) * stats.Scale[o] + stats.Beta[o]);
        return (c.Persistent("weight", folded, weightShape, trainable: false),
                c.Persistent("bias", ToFloat(bias), [outputs], trainable: false));
    }

    /// <summary>A batchnorm's per-channel values in double: gamma, beta, mean, 1/sqrt(var + eps) and s = gamma/sqrt(var + eps).</summary>
    private sealed record Stats(double[] Gamma, double[] Beta, double[] Mean, double[] InvStd)
    {
        public double[] Scale { get; } = Gamma.Select((g, i) => g * InvStd[i]).ToArray();
    }

    /// <summary>The statistics of batchnorm <paramref name="bn"/> over <paramref name="channels"/> channels, from its weights or the defaults.</summary>
    private static Stats Statistics(LayerContext c, LayerSpec bn, int channels)
    {
        double[] Read(string name, float fill) => c.Values(bn, name, [channels], fill).Select(v => (double)v).ToArray();
        var eps = bn.Args.Float("eps", 1e-5, c.Diagnostics);
        var variance = Read("var", 1f);
        var bad = Array.FindIndex(variance, v => !(v + eps > 0));
        if (bad >= 0)
            throw new GraphBuildException(new Diagnostics.Diagnostic(LoweringCodes.BadAttribute, Diagnostics.Severity.Error,
                $"batchnorm '{bn.DisplayName}': var + eps must be positive, but channel {bad} has var {variance[bad]} and eps is {eps}",
                bn.Weights?.Location ?? bn.Location));
        return new Stats(Read("gamma", 1f), Read("beta", 0f), Read("mean", 0f), variance.Select(v => 1 / Math.Sqrt(v + eps)).ToArray());
    }

    /// <summary>
    /// The batchnorm folded into <paramref name="producer"/>, or null: <paramref name="producer"/> is a
    /// frozen linear / conv2d / depthwise_conv2d, and a frozen batchnorm is the only reader of its output.
    /// </summary>
    private static LayerSpec? FoldedBatchnorm(ModelSpec model, LayerSpec producer)
    {
        if (!FoldsInto.ContainsKey(producer.Keyword) || producer.Trainable) return null;
        var readers = Readers(model)[producer.Index];
        return readers is [{ Keyword: "batchnorm", Trainable: false } bn] ? bn : null;
    }

    /// <summary>The layer batchnorm <paramref name="bn"/> is folded into, or null.</summary>
    private static LayerSpec? FoldTarget(ModelSpec model, LayerSpec bn) =>
        bn.Operands is [{ Source: TensorSource.Layer } operand] && FoldedBatchnorm(model, model.Layers[operand.Index]) == bn
            ? model.Layers[operand.Index] : null;

    /// <summary>
    /// Per layer, the layers reading its output, with null standing for the loss and the model
    /// output; computed once per model, since every foldable layer and every batchnorm asks.
    /// </summary>
    private static IReadOnlyList<LayerSpec?>[] Readers(ModelSpec model) => ReaderCache.GetValue(model, m =>
    {
        var readers = m.Layers.Select(_ => new List<LayerSpec?>()).ToArray();
        foreach (var layer in m.Layers)
            foreach (var operand in layer.Operands.Where(o => o.Source == TensorSource.Layer).DistinctBy(o => o.Index))
                readers[operand.Index].Add(layer);
        if (m.Loss.Input.Source == TensorSource.Layer) readers[m.Loss.Input.Index].Add(null);
        readers[m.Output.Index].Add(null);
        return readers.Select(r => (IReadOnlyList<LayerSpec?>)r).ToArray();
    });

    private static readonly ConditionalWeakTable<ModelSpec, IReadOnlyList<LayerSpec?>[]> ReaderCache = new();

    private static float[] ToFloat(IEnumerable<double> values) => values.Select(v => (float)v).ToArray();
}
