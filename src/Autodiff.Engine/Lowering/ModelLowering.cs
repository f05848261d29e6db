using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Model;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Optimizers;

namespace Autodiff.Engine.Lowering;

/// <summary>
/// Model spec → training graph: the forward graph from the layers, the loss, the backward graph by
/// reverse mode, then one optimizer update per trainable parameter. Shape problems come back as
/// AD2xxx diagnostics located at the layer that caused them.
/// </summary>
public static class ModelLowering
{
    public static TrainingGraph? Lower(ModelSpec spec, DiagnosticBag diagnostics)
    {
        try
        {
            // Int8 layers take their ranges from the float model run on the calibration samples.
            var int8 = spec.Layers.Any(l => l.IsInt8) ? Int8Lowering.Calibrate(spec, diagnostics) : null;
            var g = new GraphBuilder(spec.Batch.Value);
            var (inputs, outputs) = LowerLayers(g, spec, diagnostics, int8);
            Tensor Resolve(TensorRef r) => r.Source == TensorSource.Input ? inputs[r.Index] : outputs[r.Index]!;
            Tensor AsFloat(Tensor t) => int8?.AsFloat(g, t) ?? t;

            g.CurrentSource = spec.Output.Location;
            var prediction = AsFloat(outputs[^1]!);
            CheckPrediction(spec, prediction);
            g.CurrentSource = spec.Loss.Location;
            var lossInput = AsFloat(Resolve(spec.Loss.Input));
            var target = inputs[spec.Loss.TargetIndex];
            if (!lossInput.Shape.Equals(target.Shape))
                throw new GraphBuildException(new Diagnostic(LoweringCodes.LossShape, Severity.Error,
                    $"the loss compares '{lossInput.Name}' {PerSample(lossInput)} with target '{target.Name}' {PerSample(target)}; their per-sample shapes must match",
                    spec.Loss.Location));
            var dataLoss = Loss(g, spec.Loss.Kind, lossInput, target);

            var parameters = g.Graph.Parameters.ToArray();
            if (parameters.Length == 0)
            {
                diagnostics.Error(LoweringCodes.NothingToTrain, "the model has no trainable parameter: nothing to train", spec.Loss.Location);
                return null;
            }

            var loss = g.WithL2Penalty(dataLoss, parameters, spec.Loss.L2);
            var gradients = g.Backward(dataLoss, parameters);
            g.CurrentSource = spec.Optimizer.Location;
            OptimizerBuilder.AddUpdates(g, gradients, Settings(spec.Optimizer), spec.Loss.L2);
            return new TrainingGraph(spec.Name.Value, g.Graph, loss, prediction, gradients)
            {
                SingleSample = spec.Batch.Value > 1 ? LowerSingleSample(spec, int8) : null,
            };
        }
        catch (GraphBuildException e)
        {
            diagnostics.AddRange([e.Diagnostic]);
            return null;
        }
    }

    /// <summary>
    /// The layers once more at batch 1, up to the model output (<c>NAME_predict_one</c>). int8 layers
    /// reuse the training graph's calibration, so both passes quantise alike and share their tables.
    /// Diagnostics of the layers were reported by the first lowering; repeats are dropped.
    /// </summary>
    private static SingleSampleGraph LowerSingleSample(ModelSpec spec, Int8Lowering? int8)
    {
        var g = new GraphBuilder(batch: 1);
        var repeated = new DiagnosticBag();
        var int8One = int8?.ForBatch(1, repeated);
        var (_, outputs) = LowerLayers(g, spec, repeated, int8One);
        g.CurrentSource = spec.Output.Location;
        var prediction = int8One?.AsFloat(g, outputs[^1]!) ?? outputs[^1]!;
        return new SingleSampleGraph(g.Graph, prediction);
    }

    /// <summary>
    /// The inputs and every layer's output, in evaluation order. With <paramref name="int8"/>, layers
    /// marked <c>quantize: int8</c> become int8 ops and float layers read their int8 operands dequantised.
    /// </summary>
    internal static (Tensor[] Inputs, Tensor?[] Outputs) LowerLayers(GraphBuilder g, ModelSpec spec, DiagnosticBag diagnostics, Int8Lowering? int8)
    {
        var inputs = new Tensor[spec.Inputs.Count];
        for (var i = 0; i < spec.Inputs.Count; i++)
        {
            var input = spec.Inputs[i];
            g.CurrentSource = input.Location;
            var dims = input.Shape.Dims.ToArray();
            inputs[i] = input.IsTarget ? g.Target(input.Name, dims) : g.Input(input.Name, dims);
        }

        var outputs = new Tensor?[spec.Layers.Count];
        Tensor Resolve(TensorRef r) => r.Source == TensorSource.Input ? inputs[r.Index]
            : outputs[r.Index] ?? throw new InvalidOperationException($"layer {r.Index} used before it was lowered");

        foreach (var index in spec.EvaluationOrder)
        {
            var layer = spec.Layers[index];
            g.CurrentSource = layer.Location;
            if (!LayerLowerings.ByKeyword.TryGetValue(layer.Keyword, out var lower))
                throw new InvalidOperationException($"no lowering for layer keyword '{layer.Keyword}'");
            var operands = layer.Operands.Select(Resolve).ToArray();
            Tensor output;
            if (int8 is not null && layer.IsInt8)
                output = int8.Lower(g, layer, operands);
            else
            {
                if (int8 is not null) operands = operands.Select(t => int8.AsFloat(g, t)).ToArray();
                output = lower(new LayerContext(g, spec, layer, operands, diagnostics));
            }
            if (layer.Name is { } name && output.Producer is not null && !operands.Contains(output)) g.Rename(output, name.Value);
            outputs[index] = output;
        }
        return (inputs, outputs);
    }

    /// <summary>What <c>NAME_predict</c> returns must be per sample and computable from the inputs alone.</summary>
    private static void CheckPrediction(ModelSpec spec, Tensor prediction)
    {
        if (prediction.Shape.Rank == 0 || prediction.Shape[0] != spec.Batch.Value)
            throw new GraphBuildException(new Diagnostic(LoweringCodes.OutputLosesBatch, Severity.Error,
                $"the model's output '{prediction.Name}' {prediction.Shape} has lost the batch dimension; the last layer must keep one value set per sample",
                spec.Output.Location));
        foreach (var node in prediction.AncestorNodes().OrderBy(n => n.Id))
            if (node.Inputs.FirstOrDefault(t => t.Role == TensorRole.Target) is { } target)
                throw new GraphBuildException(new Diagnostic(LoweringCodes.PredictionReadsTarget, Severity.Error,
                    $"'{node.Out.Name}' reads the loss target '{target.Name}', but the model's output depends on it and prediction has no targets; read targets only in the loss",
                    node.Source));
    }

    private static Tensor Loss(GraphBuilder g, LossKind kind, Tensor prediction, Tensor target) => kind switch
    {
        LossKind.Nll => g.NllLoss(prediction, target),
        LossKind.CrossEntropy => g.CrossEntropyLoss(prediction, target),
        LossKind.Mse => g.MseLoss(prediction, target),
        LossKind.BceWithLogits => g.BceWithLogitsLoss(prediction, target),
        LossKind.Hinge => g.HingeLoss(prediction, target),
        _ => throw new InvalidOperationException($"unknown loss {kind}"),
    };

    /// <summary>The model's optimizer as the engine's settings, PyTorch defaults already filled in by the loader.</summary>
    public static OptimizerSettings Settings(OptimizerSpec spec)
    {
        OptimizerSettings settings = spec switch
        {
            SgdSpec s => new Sgd(s.Lr, s.Momentum, s.Dampening, s.Nesterov, s.WeightDecay),
            AdamSpec a => new Adam(a.Lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay),
            RmsPropSpec r => new RmsProp(r.Lr, r.Alpha, r.Eps, r.Momentum, r.WeightDecay),
            _ => throw new InvalidOperationException($"unknown optimizer {spec.Kind}"),
        };
        return settings with { Schedule = Schedule(spec.Schedule) };
    }

    private static LrSchedule Schedule(ScheduleSpec? spec) => spec switch
    {
        null => LrSchedule.None,
        StepSchedule s => new StepLr(s.StepSize, s.Gamma),
        ExponentialSchedule e => new ExponentialLr(e.Gamma),
        CosineSchedule c => new CosineLr(c.TMax, c.EtaMin),
        _ => throw new InvalidOperationException("unknown schedule"),
    };

    private static string PerSample(Tensor t) => "[" + string.Join(", ", t.Shape.Dims.Skip(1)) + "]";
}
