using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Model;

namespace Autodiff.Engine.Lowering;

/// <summary>What lowering one layer needs: its spec, its operands, the builder, and parameter creation.</summary>
public sealed class LayerContext
{
    internal LayerContext(GraphBuilder builder, ModelSpec model, LayerSpec layer, IReadOnlyList<Tensor> operands, DiagnosticBag diagnostics)
    {
        Builder = builder;
        Model = model;
        Layer = layer;
        Operands = operands;
        Diagnostics = diagnostics;
    }

    public GraphBuilder Builder { get; }
    public ModelSpec Model { get; }
    public LayerSpec Layer { get; }
    public IReadOnlyList<Tensor> Operands { get; }
    public DiagnosticBag Diagnostics { get; }
    public LayerArgs Args => Layer.Args;
    public Tensor X => Operands[0];

    /// <summary>The name parameters of this layer are prefixed with: its <c>name:</c>, else keyword and position.</summary>
    public string ParameterPrefix => PrefixOf(Layer);

    internal static string PrefixOf(LayerSpec layer) => layer.Name?.Value ?? $"{layer.Keyword}{layer.Index + 1}";

    /// <summary>
    /// Creates parameter <c>prefix.suffix</c>: values from <c>weights:</c> when given (shape
    /// checked), else the seeded default; trainable unless the layer is frozen.
    /// </summary>
    public Tensor Parameter(string suffix, int slot, int[] shape, int fanIn) =>
        Persistent(suffix, Values(suffix, slot, shape, fanIn), shape, Layer.Trainable);

    /// <summary>
    /// Creates parameter <c>prefix.suffix</c> from <c>weights:</c> when given, else every element
    /// <paramref name="fill"/> (batchnorm's gamma 1, beta 0); trainable unless the layer is frozen
    /// or <paramref name="constant"/> (batchnorm's running statistics, never trained).
    /// </summary>
    public Tensor Parameter(string suffix, int[] shape, float fill, bool constant = false) =>
        Persistent(suffix, Values(Layer, suffix, shape, fill), shape, Layer.Trainable && !constant);

    /// <summary>The values parameter <c>prefix.suffix</c> starts from: <c>weights:</c>, else the seeded default.</summary>
    public float[] Values(string suffix, int slot, int[] shape, int fanIn)
    {
        Builder.CheckSize($"{ParameterPrefix}.{suffix}", shape, Layer.Location);
        var count = shape.Aggregate(1, (a, d) => a * d);
        return Pretrained(Layer, suffix, shape) ?? ParameterInit.Uniform(Model.Init.Seed, Layer.Index, slot, count, fanIn);
    }

    /// <summary>The values of array <paramref name="suffix"/> of <paramref name="layer"/>: its <c>weights:</c>, else every element <paramref name="fill"/>.</summary>
    internal float[] Values(LayerSpec layer, string suffix, int[] shape, float fill)
    {
        Builder.CheckSize($"{PrefixOf(layer)}.{suffix}", shape, layer.Location);
        return Pretrained(layer, suffix, shape) ?? Enumerable.Repeat(fill, shape.Aggregate(1, (a, d) => a * d)).ToArray();
    }

    /// <summary>A persistent tensor <c>prefix.suffix</c> of this layer: a parameter, or a constant in flash.</summary>
    public Tensor Persistent(string suffix, float[] values, int[] shape, bool trainable)
    {
        var name = $"{ParameterPrefix}.{suffix}";
        return trainable ? Builder.Param(name, values, shape) : Builder.Frozen(name, values, shape);
    }

    private static float[]? Pretrained(LayerSpec layer, string suffix, int[] shape)
    {
        if (layer.Weights is not { } weights || weights[suffix] is not { } array) return null;
        if (!array.Shape.SequenceEqual(shape))
        {
            throw new GraphBuildException(new Diagnostic(LoweringCodes.WeightsShape, Severity.Error,
                $"'{weights.Written}' holds {suffix} values of shape {array} but layer '{layer.DisplayName}' needs [{string.Join(", ", shape)}]",
                weights.Location));
        }
        return array.Data.ToArray();
    }
}

/// <summary>Diagnostic codes raised while building the graph from a model spec.</summary>
public static class LoweringCodes
{
    /// <summary>An op rejected its operand shapes (raised by the graph builder).</summary>
    public const string ShapeMismatch = Graph.GraphBuilder.ShapeMismatchCode;
    /// <summary>A weights file's array does not have the parameter's shape.</summary>
    public const string WeightsShape = "AD2002";
    /// <summary>The loss input and target shapes disagree.</summary>
    public const string LossShape = "AD2003";
    /// <summary>Nothing to train: no trainable parameter reaches the loss.</summary>
    public const string NothingToTrain = "AD2004";
    /// <summary>An attribute value does not fit the operand (axis out of range, bad reshape...).</summary>
    public const string BadAttribute = "AD2005";
    /// <summary>The model's output lost the batch dimension, so <c>NAME_predict</c> could not return per-sample values.</summary>
    public const string OutputLosesBatch = "AD2006";
    /// <summary>The prediction depends on a loss target, which <c>NAME_predict</c> does not receive.</summary>
    public const string PredictionReadsTarget = "AD2007";
    /// <summary>An int8 layer's float form is not one an int8 kernel computes.</summary>
    public const string Int8Unsupported = "AD2009";
    /// <summary>An int8 layer reads a tensor that depends on trainable parameters: gradients cannot pass it.</summary>
    public const string Int8AfterTrainable = "AD2010";
    /// <summary>A tensor is larger than the engine supports (<see cref="Graph.GraphBuilder.MaxTensorElements"/>).</summary>
    public const string TensorTooLarge = Graph.GraphBuilder.TensorTooLargeCode;
}
