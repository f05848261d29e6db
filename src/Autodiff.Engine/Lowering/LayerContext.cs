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
    public string ParameterPrefix => Layer.Name?.Value ?? $"{Layer.Keyword}{Layer.Index + 1}";

    /// <summary>
    /// Creates parameter <c>prefix.suffix</c>: values from <c>weights:</c> when given (shape
    /// checked), else the seeded default; trainable unless the layer is frozen.
    /// </summary>
    public Tensor Parameter(string suffix, int slot, int[] shape, int fanIn)
    {
        Builder.CheckSize($"{ParameterPrefix}.{suffix}", shape, Layer.Location);
        var count = shape.Aggregate(1, (a, d) => a * d);
        var values = Pretrained(suffix, shape) ?? ParameterInit.Uniform(Model.Init.Seed, Layer.Index, slot, count, fanIn);
        var name = $"{ParameterPrefix}.{suffix}";
        return Layer.Trainable ? Builder.Param(name, values, shape) : Builder.Frozen(name, values, shape);
    }

    private float[]? Pretrained(string suffix, int[] shape)
    {
        if (Layer.Weights is not { } weights) return null;
        var array = suffix == "weight" ? weights.Weight : suffix == "bias" ? weights.Bias : null;
        if (array is null) return null;
        if (!array.Shape.SequenceEqual(shape))
        {
            throw new GraphBuildException(new Diagnostic(LoweringCodes.WeightsShape, Severity.Error,
                $"'{weights.Written}' holds {suffix} values of shape {array} but layer '{Layer.DisplayName}' needs [{string.Join(", ", shape)}]",
                weights.Location));
        }
        return array.Data.ToArray();
    }
}

/// <summary>Diagnostic codes raised while building the graph from a model spec.</summary>
public static class LoweringCodes
{
    /// <summary>An op rejected its operand shapes (raised by the graph builder).</summary>
    public const string ShapeMismatch = "AD2001";
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
    /// <summary>A tensor is larger than the engine supports (<see cref="Graph.GraphBuilder.MaxTensorElements"/>).</summary>
    public const string TensorTooLarge = Graph.GraphBuilder.TensorTooLargeCode;
}
