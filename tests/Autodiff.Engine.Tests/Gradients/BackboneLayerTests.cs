using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Lowering;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Tests.Model;
using Xunit;

namespace Autodiff.Engine.Tests.Gradients;

/// <summary>
/// The backbone layers: depthwise_conv2d (op-level finite-difference checks over several
/// geometries, forward against conv2d with block-diagonal weights), global_avgpool and batchnorm
/// (finite-difference checks of whole lowered models, so the lowering itself is what is checked),
/// batchnorm's statistics from a weights folder, and its folding into a frozen producer.
/// </summary>
public class BackboneLayerTests
{
    /// <summary>−(1/B) Σ target · t: a linear read-out, so dL/dt is a random tensor, not a constant.</summary>
    private static Tensor ReadOut(GraphBuilder g, Tensor t) =>
        g.NllLoss(t, g.Target("readout", t.Shape.Dims.Skip(1).ToArray()));

    // ---- depthwise_conv2d --------------------------------------------------------------------

    [Theory]
    [InlineData(1, 5, 4, 3, 1, 3, 2, 1, 1, false, true, 701)]
    [InlineData(2, 6, 5, 2, 2, 3, 3, 2, 2, true, true, 702)]   // stride 2, same, depth_multiplier 2, batch 2
    [InlineData(2, 4, 4, 1, 3, 2, 2, 1, 2, true, false, 703)]
    [InlineData(1, 7, 5, 2, 1, 3, 1, 2, 1, false, true, 704)]  // stride 2, valid
    [InlineData(2, 5, 6, 3, 2, 3, 4, 1, 2, true, true, 705)]   // pads on every side
    [InlineData(1, 3, 3, 2, 2, 3, 3, 3, 3, true, true, 706)]   // one output position per axis
    public void DepthwiseConv2d(int batch, int h, int w, int c, int multiplier, int kh, int kw, int sh, int sw, bool same, bool bias, int seed) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Param("x", batch, h, w, c);
            var weight = g.Param("dw.weight", kh, kw, c * multiplier);
            var b = bias ? g.Param("dw.bias", c * multiplier) : null;
            var y = g.DepthwiseConv2d(x, weight, b, multiplier, sh, sw, same ? Conv2dPadding.Same : Conv2dPadding.Valid);
            return ReadOut(g, g.Tanh(y));
        }, seed, batch: batch);

    /// <summary>
    /// A depthwise convolution is a conv2d whose filter o holds the depthwise taps of channel o at
    /// input channel o / M and zeros elsewhere: same outputs, geometry and padding included.
    /// </summary>
    [Theory]
    [InlineData(2, 6, 5, 2, 2, 3, 3, 2, 2, true)]
    [InlineData(1, 5, 4, 3, 1, 3, 2, 1, 1, false)]
    [InlineData(1, 7, 6, 2, 3, 2, 4, 2, 3, true)]
    public void DepthwiseConv2d_equals_conv2d_with_block_diagonal_weights(int batch, int h, int w, int c, int m, int kh, int kw, int sh, int sw, bool same)
    {
        var padding = same ? Conv2dPadding.Same : Conv2dPadding.Valid;
        var outC = c * m;
        var depthwise = GradientCheck.RandomValues(kh * kw * outC, seed: 9);
        var bias = GradientCheck.RandomValues(outC, seed: 10);
        var dense = new float[outC * kh * kw * c];
        for (var o = 0; o < outC; o++)
            for (var t = 0; t < kh * kw; t++)
                dense[(o * kh * kw + t) * c + o / m] = depthwise[t * outC + o];

        var g = new GraphBuilder(batch);
        var x = g.Input("x", h, w, c);
        var y1 = g.DepthwiseConv2d(x, g.Frozen("dw.weight", depthwise, kh, kw, outC), g.Frozen("dw.bias", bias, outC), m, sh, sw, padding);
        var y2 = g.Conv2d(x, g.Frozen("conv.weight", dense, outC, kh, kw, c), g.Frozen("conv.bias", bias, outC), sh, sw, padding);
        Assert.Equal(y2.Shape, y1.Shape);
        var rng = new Random(3);
        var feeds = new Dictionary<Tensor, double[]> { [x] = Enumerable.Range(0, x.Shape.Count).Select(_ => rng.NextDouble() * 2 - 1).ToArray() };
        var interpreter = new Interpreter<double>(g.Graph);
        var expected = interpreter.Predict(y2, feeds);
        var actual = interpreter.Predict(y1, feeds);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void DepthwiseConv2d_output_channel_c_times_M_plus_m_reads_input_channel_c()
    {
        // 1x2 image, channels (1, 10) and (2, 20); 1x2 kernel, depth_multiplier 2: w[0,kw,o].
        var g = new GraphBuilder(1);
        var x = g.Input("x", 1, 2, 2);
        var w = g.Frozen("dw.weight", [1, 2, 3, 4, 5, 6, 7, 8], 1, 2, 4);
        var y = g.DepthwiseConv2d(x, w, null, depthMultiplier: 2);
        Assert.Equal(new Shape(1, 1, 1, 4), y.Shape);
        var feeds = new Dictionary<Tensor, double[]> { [x] = [1, 10, 2, 20] };
        // o = 0, 1 read channel 0: 1·w[0,0,o] + 2·w[0,1,o]; o = 2, 3 read channel 1: 10·w[0,0,o] + 20·w[0,1,o].
        Assert.Equal([1 * 1 + 2 * 5.0, 1 * 2 + 2 * 6.0, 10 * 3 + 20 * 7.0, 10 * 4 + 20 * 8.0],
            new Interpreter<double>(g.Graph).Predict(y, feeds));
    }

    [Fact]
    public void DepthwiseConv2d_weight_gradient_is_fused_and_counts_its_products()
    {
        var g = new GraphBuilder(2);
        var x = g.Input("x", 6, 6, 3);
        var w = g.Param("dw.weight", 3, 3, 6);
        var y = g.DepthwiseConv2d(x, w, null, depthMultiplier: 2, strideH: 2, strideW: 2, padding: Conv2dPadding.Same);
        var grads = g.Backward(ReadOut(g, y), [w]);
        var node = grads[w].Producer!;
        Assert.IsAssignableFrom<IFusedGradient>(node.Op);
        Assert.Equal(2L * 3 * 3 * 6 * (3 * 3), node.Op.MultiplyAccumulates(node)); // B·OH·OW·OutC · KH·KW
        Assert.Equal(node.Op.MultiplyAccumulates(node), y.Producer!.Op.MultiplyAccumulates(y.Producer));
        Assert.DoesNotContain(g.Graph.Nodes, n => n.Op is DepthwiseConv2dInputGradOp);
        var geometry = ((DepthwiseConv2dOp)y.Producer.Op).Geometry(y.Producer);
        Assert.Equal((3, 3, 6, 2, 0, 0), (geometry.OutH, geometry.OutW, geometry.OutC, geometry.DepthMultiplier, geometry.PadTop, geometry.PadLeft));
    }

    [Fact]
    public void DepthwiseConv2d_rejects_weights_that_are_not_channels_times_multiplier()
    {
        var g = new GraphBuilder(1);
        var x = g.Input("x", 5, 5, 3);
        var ex = Assert.Throws<GraphBuildException>(() => g.DepthwiseConv2d(x, g.Param("w", 3, 3, 3), null, depthMultiplier: 2));
        Assert.Equal(GraphBuilder.ShapeMismatchCode, ex.Diagnostic.Code);
        Assert.Throws<GraphBuildException>(() => g.DepthwiseConv2d(x, g.Param("w2", 6, 3, 3)));
        Assert.Throws<GraphBuildException>(() => g.DepthwiseConv2d(g.Input("flat", 12), g.Param("w3", 3, 3, 3)));
    }

    // ---- whole models: global_avgpool, batchnorm, depthwise_conv2d through the language -----

    [Fact]
    public void Global_avgpool_gradients_in_a_model() => AssertModelGradients("""
        autodiff: 1
        name: gap
        inputs:
          image: [5, 4, 3]
          y: [2]
        batch: 2
        layers:
          - conv2d: { filters: 3, kernel: 2, padding: same }
          - tanh
          - global_avgpool
          - linear: { units: 2 }
        loss: { mse: { target: y } }
        optimizer: { sgd: { lr: 0.1 } }
        """, seed: 801);

    [Fact]
    public void Batchnorm_gradients_of_gamma_beta_and_its_input() => AssertModelGradients("""
        autodiff: 1
        name: bn
        inputs:
          x: [5]
          y: [3]
        batch: 3
        layers:
          - linear: { units: 3, name: fc }
          - batchnorm: { name: bn, weights: stats, eps: 0.01 }
          - tanh
        loss: { mse: { target: y } }
        optimizer: { sgd: { lr: 0.1 } }
        """, seed: 802, statistics: ("bn", 3), expected: ["fc.weight", "fc.bias", "bn.gamma", "bn.beta"]);

    [Fact]
    public void Batchnorm_on_images_and_depthwise_gradients_in_a_model() => AssertModelGradients("""
        autodiff: 1
        name: block
        inputs:
          image: [6, 5, 2]
          y: [4]
        batch: 2
        layers:
          - depthwise_conv2d: { kernel: 3, stride: 2, padding: same, depth_multiplier: 2, name: dw }
          - batchnorm: { name: bn, weights: stats }
          - tanh
          - global_avgpool
        loss: { mse: { target: y } }
        optimizer: { sgd: { lr: 0.1 } }
        """, seed: 803, statistics: ("bn", 4), expected: ["dw.weight", "dw.bias", "bn.gamma", "bn.beta"]);

    [Fact]
    public void Global_avgpool_is_the_mean_over_height_and_width()
    {
        var training = Lower("""
            autodiff: 1
            name: gap
            inputs:
              image: [2, 3, 2]
              y: [2]
            layers:
              - global_avgpool
              - linear: { units: 2 }
            loss: { mse: { target: y } }
            optimizer: { sgd: { lr: 0.1 } }
            """);
        var pooled = training.Graph.Nodes.Single(n => n.Op is MeanOp);
        Assert.Equal(new Shape(1, 2), pooled.Out.Shape);
        var image = training.Graph.Inputs.Single();
        var feeds = new Dictionary<Tensor, double[]> { [image] = [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60] };
        Assert.Equal([3.5, 35.0], new Interpreter<double>(training.Graph).Predict(pooled.Out, feeds));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Batchnorm_computes_gamma_times_normalised_x_plus_beta(bool trainable)
    {
        var folder = TempFolder();
        WriteStatistics(folder, "bn", [2, 0.5f], [1, -1], [0.5f, -2], [4, 0.25f]);
        var training = Lower($$"""
            autodiff: 1
            name: bn
            inputs:
              x: [2]
              y: [2]
            layers:
              - batchnorm: { name: bn, weights: stats, eps: 0, trainable: {{(trainable ? "true" : "false")}} }
              - linear: { units: 2 }
            loss: { mse: { target: y } }
            optimizer: { sgd: { lr: 0.1 } }
            """, folder);
        var bn = training.Graph.Nodes.Single(n => n.Op is LinearOp).Inputs[0];
        var x = training.Graph.Inputs.Single();
        // channel 0: 2·(3 − 0.5)/2 + 1 = 3.5; channel 1: 0.5·(1 + 2)/0.5 − 1 = 2.
        Assert.Equal(new[] { 3.5, 2.0 }, new Interpreter<double>(training.Graph).Predict(bn, new Dictionary<Tensor, double[]> { [x] = [3, 1] }), new Tolerance(1e-6));
        Assert.Equal(trainable ? new[] { "bn.beta", "bn.gamma" } : Array.Empty<string>(),
            training.Graph.Parameters.Select(p => p.Name).Where(n => n.StartsWith("bn.")).Order());
    }

    /// <summary>
    /// A folder with gamma and beta only (what NAME_save_parameters writes for a batchnorm trained
    /// here) uses mean 0 and var 1; mean without var is an error, not a default.
    /// </summary>
    [Fact]
    public void Batchnorm_mean_and_var_files_are_optional_together()
    {
        var folder = TempFolder();
        WriteStatistics(folder, "bn", [2, 0.5f], [1, -1], [0.5f, -2], [4, 0.25f]);
        File.Delete(Path.Combine(folder, "stats", "bn.mean.npy"));
        File.Delete(Path.Combine(folder, "stats", "bn.var.npy"));
        var text = """
            autodiff: 1
            name: bn
            inputs:
              x: [2]
              y: [2]
            layers:
              - batchnorm: { name: bn, weights: stats, eps: 0 }
              - linear: { units: 2 }
            loss: { mse: { target: y } }
            optimizer: { sgd: { lr: 0.1 } }
            """;
        var training = Lower(text, folder);
        var bn = training.Graph.Nodes.Single(n => n.Op is LinearOp).Inputs[0];
        var x = training.Graph.Inputs.Single();
        // gamma·x + beta: 2·3 + 1 = 7, 0.5·1 − 1 = −0.5.
        Assert.Equal(new[] { 7.0, -0.5 }, new Interpreter<double>(training.Graph).Predict(bn, new Dictionary<Tensor, double[]> { [x] = [3, 1] }), new Tolerance(1e-6));

        File.WriteAllBytes(Path.Combine(folder, "stats", "bn.mean.npy"), NpyBytes.Float32([2], [0, 0]));
        Assert.Null(ModelText.Load(text, out var diags, folder));
        var (line, column) = ModelText.Pos(text, "stats");
        Assert.Contains(diags.Items, d => d.Code == Engine.Model.ModelDiagnosticCodes.WeightsMissing
            && d.Location is { } l && l.Line == line && l.Column == column && d.Message.Contains("bn.var.npy"));
    }

    // ---- folding -----------------------------------------------------------------------------

    /// <summary>
    /// frozen_backbone with its three foldable batchnorms folded and, for comparison, the same model
    /// with the producers trainable (so nothing folds): equal predictions from the same values, and
    /// no node left of a folded batchnorm.
    /// </summary>
    [Fact]
    public void Folded_batchnorms_predict_as_unfolded_ones_and_leave_no_node()
    {
        var text = File.ReadAllText(GoodModels.PathOf("frozen_backbone.yaml"));
        var unfoldedText = text
            .Replace("bias: false, trainable: false, name: conv", "bias: false, name: conv")
            .Replace("stride: 2, trainable: false, name: dw", "stride: 2, name: dw")
            .Replace("units: 8, trainable: false, name: fc", "units: 8, name: fc");
        Assert.NotEqual(text, unfoldedText);
        var folded = Lower(text, GoodModels.Folder, out var spec);
        var unfolded = Lower(unfoldedText, GoodModels.Folder, out _);

        foreach (var name in new[] { "conv_bn", "dw_bn", "fc_bn" })
        {
            var at = spec.FindLayer(name)!.Location;
            Assert.DoesNotContain(folded.Graph.Nodes, n => n.Source == at);
            Assert.Contains(unfolded.Graph.Nodes, n => n.Source is { } s && s.Line == at.Line && s.Column == at.Column);
        }
        foreach (var name in new[] { "act_bn", "post_bn" })
            Assert.Contains(folded.Graph.Nodes, n => n.Source == spec.FindLayer(name)!.Location);
        // The folded conv2d without bias gained one: b' = (0 − mean)·s + beta.
        Assert.Contains(folded.Graph.Tensors, t => t.Name == "conv.bias" && t.Role == TensorRole.FrozenParameter);
        Assert.DoesNotContain(folded.Graph.Tensors, t => t.Name.StartsWith("conv_bn.") || t.Name.StartsWith("dw_bn.") || t.Name.StartsWith("fc_bn."));

        var rng = new Random(11);
        var image = Enumerable.Range(0, 2 * 6 * 6 * 2).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        double[] Predict(TrainingGraph t) => new Interpreter<double>(t.Graph).Predict(t.Prediction,
            new Dictionary<Tensor, double[]> { [t.Graph.Inputs.Single()] = image });
        var expected = Predict(unfolded);
        var actual = Predict(folded);
        Assert.Equal(expected, actual, new Tolerance(1e-5 * expected.Max(Math.Abs)));
    }

    [Fact]
    public void A_batchnorm_is_not_folded_into_a_layer_whose_output_is_read_elsewhere_or_is_trained()
    {
        const string text = """
            autodiff: 1
            name: nofold
            inputs:
              x: [4]
              y: [3]
            layers:
              - linear: { units: 3, trainable: false, name: shared }
              - batchnorm: { trainable: false, name: bn_shared }
              - add: { in: shared }
              - linear: { units: 3, name: trained }
              - batchnorm: { trainable: false, name: bn_trained }
              - linear: { units: 3, trainable: false, name: frozen }
              - batchnorm: { name: bn_trainable }
            loss: { mse: { target: y } }
            optimizer: { sgd: { lr: 0.1 } }
            """;
        var training = Lower(text, null, out var spec);
        foreach (var name in new[] { "bn_shared", "bn_trained", "bn_trainable" })
            Assert.Contains(training.Graph.Nodes, n => n.Source == spec.FindLayer(name)!.Location);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }

    private static string TempFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "autodiff-backbone-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "stats"));
        return dir;
    }

    private static void WriteStatistics(string folder, string layer, float[] gamma, float[] beta, float[] mean, float[] variance)
    {
        foreach (var (array, values) in new[] { ("gamma", gamma), ("beta", beta), ("mean", mean), ("var", variance) })
            File.WriteAllBytes(Path.Combine(folder, "stats", $"{layer}.{array}.npy"), NpyBytes.Float32([values.Length], values));
    }

    private static TrainingGraph Lower(string text, string? folder = null) => Lower(text, folder, out _);

    private static TrainingGraph Lower(string text, string? folder, out Engine.Model.ModelSpec spec)
    {
        spec = ModelText.LoadValid(text, folder);
        var diags = new DiagnosticBag();
        var training = ModelLowering.Lower(spec, diags);
        Assert.True(training is not null, string.Join("\n", diags.Items));
        return training!;
    }

    /// <summary>
    /// Lowers the model (with random batchnorm statistics for <paramref name="statistics"/>, when
    /// given) and checks the gradient of every trainable parameter against central differences of
    /// the loss, in double precision.
    /// </summary>
    private static void AssertModelGradients(string text, int seed, (string Layer, int Channels)? statistics = null, string[]? expected = null)
    {
        var folder = TempFolder();
        if (statistics is { } s)
        {
            var channels = s.Channels;
            var rng = new Random(seed);
            float[] Values(double low, double high) => Enumerable.Range(0, channels).Select(_ => (float)(low + (high - low) * rng.NextDouble())).ToArray();
            WriteStatistics(folder, s.Layer, Values(0.5, 1.5), Values(-0.5, 0.5), Values(-0.3, 0.3), Values(0.3, 2));
        }
        var training = Lower(text, folder);
        var graph = training.Graph;
        if (expected is not null) Assert.Equal(expected.Order(), graph.Parameters.Select(p => p.Name).Order());

        var data = new Random(seed + 1);
        var feeds = graph.Tensors.Where(t => t.Role is TensorRole.Input or TensorRole.Target)
            .ToDictionary(t => t, t => Enumerable.Range(0, t.Shape.Count).Select(_ => data.NextDouble() * 2 - 1).ToArray());
        var interpreter = new Interpreter<double>(graph);
        var computed = interpreter.ForwardBackward(feeds);
        const double step = 1e-5;
        foreach (var p in graph.Parameters)
        {
            var analytic = computed[training.Gradients[p]];
            var values = interpreter.Values(p);
            var numeric = new double[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var saved = values[i];
                values[i] = saved + step;
                var plus = interpreter.ForwardBackward(feeds)[training.Loss][0];
                values[i] = saved - step;
                var minus = interpreter.ForwardBackward(feeds)[training.Loss][0];
                values[i] = saved;
                numeric[i] = (plus - minus) / (2 * step);
            }
            var error = GradientCheck.RelativeError(analytic, numeric);
            Assert.True(error <= 1e-6, $"gradient of '{p.Name}' {p.Shape}: relative error {error:E3}");
        }
    }
}
