using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Model;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Ops.Int8;

namespace Autodiff.Engine.Lowering;

/// <summary>
/// Builds the int8 layers of a model (<c>quantize: int8</c>). The model is first lowered in float
/// and the calibration samples run through it (<see cref="Calibration"/>); each int8 layer is then
/// made from its float counterpart — the same geometry, its frozen weights quantised per output
/// channel — with input and output quantisation from the calibrated ranges. Float tensors
/// entering an int8 layer are quantised, int8 tensors read by a float layer dequantised, each once.
/// A ReLU that alone reads a conv or linear layer is folded into it (the layer's output range is
/// the ReLU's, and its clamp starts at the zero point), as TFLite does.
/// </summary>
internal sealed class Int8Lowering
{
    private readonly ModelSpec _spec;
    private readonly Tensor[] _floatInputs;
    private readonly Tensor?[] _floatOutputs;
    private readonly Dictionary<Tensor, (double Min, double Max)> _ranges;
    /// <summary>conv/linear layer index → the ReLU layer folded into it.</summary>
    private readonly Dictionary<int, int> _reluOf = new();
    private readonly Dictionary<Tensor, QuantParams> _params = new();
    private readonly Dictionary<Tensor, Tensor> _quantized = new();
    private readonly Dictionary<Tensor, Tensor> _dequantized = new();

    private Int8Lowering(ModelSpec spec, Tensor[] floatInputs, Tensor?[] floatOutputs, Dictionary<Tensor, (double, double)> ranges)
    {
        _spec = spec;
        _floatInputs = floatInputs;
        _floatOutputs = floatOutputs;
        _ranges = ranges;
        FindFoldedRelus();
    }

    /// <summary>Lowers the model's layers in float, runs the calibration samples through them, and returns the int8 lowering.</summary>
    public static Int8Lowering Calibrate(ModelSpec spec, DiagnosticBag diagnostics)
    {
        var g = new GraphBuilder(spec.Batch.Value);
        var (inputs, outputs) = ModelLowering.LowerLayers(g, spec, diagnostics, null);
        var fed = inputs.Where(t => t.Role == TensorRole.Input).ToArray();
        var ranges = Calibration.Ranges(g.Graph, fed.Single(), inputs.Where(t => t.Role == TensorRole.Target), spec.Calibration!);
        return new Int8Lowering(spec, inputs, outputs, ranges);
    }

    /// <summary>
    /// The same lowering for graphs of another batch size, with this one's calibrated ranges: the float
    /// layers lowered at <paramref name="batch"/> create their tensors in the same order, so each range
    /// moves to the tensor of the same id. Calibrating again could round a range differently and give
    /// the two passes different int8 tables.
    /// </summary>
    public Int8Lowering ForBatch(int batch, DiagnosticBag diagnostics)
    {
        var g = new GraphBuilder(batch);
        var (inputs, outputs) = ModelLowering.LowerLayers(g, _spec, diagnostics, null);
        var tensors = g.Graph.Tensors;
        var ranges = new Dictionary<Tensor, (double, double)>();
        foreach (var (t, range) in _ranges)
        {
            if (t.Id >= tensors.Count || tensors[t.Id].Name != t.Name)
                throw new InvalidOperationException($"the float layers lowered at batch {batch} do not match those at batch {_spec.Batch.Value} ('{t.Name}')");
            ranges[tensors[t.Id]] = range;
        }
        return new Int8Lowering(_spec, inputs, outputs, ranges);
    }

    public bool IsInt8(Tensor t) => t.ElementType == ElementType.Int8;

    /// <summary>A float view of <paramref name="t"/> for a float reader: t itself, or its dequantisation (made once).</summary>
    public Tensor AsFloat(GraphBuilder g, Tensor t)
    {
        if (!IsInt8(t)) return t;
        if (_dequantized.TryGetValue(t, out var f)) return f;
        return _dequantized[t] = g.Apply(new DequantizeOp(_params[t]), [t], t.Name + ".float", t.Source);
    }

    /// <summary>Lowers int8 layer <paramref name="layer"/> reading <paramref name="operands"/> (tensors of the graph being built).</summary>
    public Tensor Lower(GraphBuilder g, LayerSpec layer, IReadOnlyList<Tensor> operands)
    {
        var at = layer.Int8 ?? layer.Location;
        var x = AsInt8(g, layer, operands[0], at);
        var q = _params[x];
        var floatOut = _floatOutputs[layer.Index]!;
        var floatIn = FloatTensor(layer.Operands[0]);
        if (floatOut == floatIn) return x; // folded away in float too (a batchnorm folded into its conv)
        var node = floatOut.Producer!;
        if (layer.Keyword == "batchnorm")
            throw Unsupported(layer, at, "an int8 batchnorm is folded into the frozen conv2d, depthwise_conv2d or linear layer before it, " +
                "which nothing else may read; this one follows something else");
        if (node.Inputs[0] != floatIn || node.Inputs.Skip(1).Any(t => t.Role != TensorRole.FrozenParameter))
            throw Unsupported(layer, at, "it does not lower to one frozen op on its input");

        switch (node.Op)
        {
            case ReluOp when _reluOf.ContainsValue(layer.Index):
                return x; // the layer before clamps at its zero point already
            case ReluOp:
                return Keep(g.Apply(new Int8ClampOp(Math.Max(q.ZeroPoint, -128), 127), [x], null, at), q);
            case ViewOp view:
                return Keep(g.Apply(view, [x], null, at), q);
            case Pool2dOp pool:
            {
                var p = pool.Geometry(node);
                return Keep(g.Apply(new Int8PoolOp(pool is MaxPool2dOp, p.Batch, p.InH, p.InW, p.Channels, pool.KernelH, pool.KernelW, pool.StrideH, pool.StrideW, node.Out.Shape), [x], null, at), q);
            }
            case MeanOp mean when node.Input(0).Shape.Rank == 4 && mean.Reduced(node.Input(0).Shape).SequenceEqual([false, true, true, false]):
            {
                var s = node.Input(0).Shape;
                return Keep(g.Apply(new Int8PoolOp(false, s[0], s[1], s[2], s[3], s[1], s[2], 1, 1, node.Out.Shape), [x], null, at), q);
            }
            case Conv2dOp conv:
            {
                var geometry = conv.Geometry(node);
                var perFilter = geometry.KernelH * geometry.KernelW * geometry.InC;
                var (data, outQ) = Quantize(layer, node, geometry.Filters, i => i / perFilter, q);
                return Keep(g.Apply(new Int8ConvOp(geometry, 0, data), [x], null, at), outQ);
            }
            case DepthwiseConv2dOp depthwise:
            {
                var d = depthwise.Geometry(node);
                var geometry = new Conv2dGeometry(d.Batch, d.InH, d.InW, d.InC, d.OutH, d.OutW, d.OutC, d.KernelH, d.KernelW, d.StrideH, d.StrideW, d.PadTop, d.PadLeft);
                var (data, outQ) = Quantize(layer, node, d.OutC, i => i % d.OutC, q);
                return Keep(g.Apply(new Int8ConvOp(geometry, d.DepthMultiplier, data), [x], null, at), outQ);
            }
            case LinearOp:
            {
                var (units, inFeatures) = (node.Input(1).Shape[0], node.Input(1).Shape[1]);
                var (data, outQ) = Quantize(layer, node, units, i => i / inFeatures, q);
                return Keep(g.Apply(new Int8LinearOp(node.Out.Shape[0], inFeatures, units, data), [x], null, at), outQ);
            }
            default:
                throw Unsupported(layer, at, $"its float op {node.Op.Describe()} has no int8 kernel");
        }
    }

    /// <summary>The layer's frozen weight and bias quantised for input <paramref name="q"/> and the output range (its folded ReLU's, if any).</summary>
    private (Int8LayerData Data, QuantParams Output) Quantize(LayerSpec layer, Node node, int channels, Func<int, int> channelOf, QuantParams q)
    {
        var relu = _reluOf.TryGetValue(layer.Index, out var r) ? r : (int?)null;
        var output = Params(_floatOutputs[relu ?? layer.Index]!);
        var weight = node.Input(1).InitialValue!;
        var bias = node.Inputs.Count > 2 ? node.Input(2).InitialValue : null;
        return (Int8LayerData.Quantize(weight, bias, channels, channelOf, q, output, relu is not null), output);
    }

    private Tensor Keep(Tensor t, QuantParams q)
    {
        _params[t] = q;
        return t;
    }

    /// <summary>The int8 form of an operand: itself, or its quantisation with the calibrated range (made once).</summary>
    private Tensor AsInt8(GraphBuilder g, LayerSpec layer, Tensor operand, SourceLocation at)
    {
        if (IsInt8(operand)) return operand;
        if (_quantized.TryGetValue(operand, out var q8)) return q8;
        if (operand.AncestorNodes().SelectMany(n => n.Inputs).FirstOrDefault(t => t.Role == TensorRole.Parameter) is { } trainable)
            throw new GraphBuildException(new Diagnostic(LoweringCodes.Int8AfterTrainable, Severity.Error,
                $"int8 layer '{layer.DisplayName}' reads '{operand.Name}', which depends on the trainable parameter '{trainable.Name}'; " +
                "gradients do not flow through int8 layers: quantize only the frozen part of the model before every trainable layer",
                at));
        var floatTensor = FloatTensor(layer.Operands[0]);
        var q = Params(floatTensor);
        var quantized = g.Apply(new QuantizeOp(q), [operand], operand.Name + ".int8", at);
        _params[quantized] = q;
        return _quantized[operand] = quantized;
    }

    private QuantParams Params(Tensor floatTensor)
    {
        var (min, max) = _ranges.TryGetValue(floatTensor, out var r) ? r : (0.0, 0.0);
        return QuantParams.FromRange(min, max);
    }

    private Tensor FloatTensor(TensorRef r) => r.Source == TensorSource.Input ? _floatInputs[r.Index] : _floatOutputs[r.Index]!;

    /// <summary>Marks each int8 ReLU whose operand is an int8 conv or linear layer that nothing else reads.</summary>
    private void FindFoldedRelus()
    {
        var readers = new Dictionary<int, int>();
        foreach (var l in _spec.Layers)
            foreach (var r in l.Operands.Where(r => r.Source == TensorSource.Layer))
                readers[r.Index] = readers.GetValueOrDefault(r.Index) + 1;
        if (_spec.Loss.Input.Source == TensorSource.Layer)
            readers[_spec.Loss.Input.Index] = readers.GetValueOrDefault(_spec.Loss.Input.Index) + 1;
        foreach (var relu in _spec.Layers.Where(l => l.IsInt8 && l.Keyword == "relu"))
        {
            var source = relu.Operands[0];
            if (source.Source != TensorSource.Layer || readers.GetValueOrDefault(source.Index) != 1) continue;
            var before = _spec.Layers[source.Index];
            // A batchnorm folded into the layer before it is no layer of its own: look through it.
            if (before.IsInt8 && before.Keyword == "batchnorm" && before.Operands[0] is { Source: TensorSource.Layer } bnInput
                && _floatOutputs[before.Index] == _floatOutputs[bnInput.Index] && readers.GetValueOrDefault(bnInput.Index) == 1)
                before = _spec.Layers[bnInput.Index];
            if (before.IsInt8 && before.Keyword is "conv2d" or "depthwise_conv2d" or "linear" && before != _spec.Output)
                _reluOf[before.Index] = relu.Index;
        }
    }

    private static GraphBuildException Unsupported(LayerSpec layer, SourceLocation at, string why) =>
        new(new Diagnostic(LoweringCodes.Int8Unsupported, Severity.Error, $"layer '{layer.DisplayName}' cannot be int8: {why}", at));
}
