using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Xunit;

namespace Autodiff.Engine.Tests.Gradients;

/// <summary>
/// Finite-difference checks of the neural-network ops (convolution, pooling, dropout, activations,
/// softmax, losses), plus the forward facts a gradient check cannot see (hand-computed
/// convolutions, padding arithmetic, dropout in prediction).
/// </summary>
public class NeuralOpGradientTests
{
    /// <summary>−(1/B) Σ target · t: a linear read-out, so dL/dt is a random tensor, not a constant.</summary>
    private static Tensor ReadOut(GraphBuilder g, Tensor t) =>
        g.NllLoss(t, g.Target("readout", t.Shape.Dims.Skip(1).ToArray()));

    // ---- conv2d ------------------------------------------------------------------------------

    [Theory]
    [InlineData(2, 5, 4, 3, 2, 3, 2, 1, 1, false, true, 101)]
    [InlineData(1, 6, 5, 2, 3, 3, 3, 2, 2, true, true, 102)]
    [InlineData(2, 4, 4, 1, 2, 2, 2, 1, 2, true, false, 103)]
    [InlineData(1, 7, 5, 2, 2, 3, 1, 2, 1, false, true, 104)]
    [InlineData(3, 3, 3, 2, 1, 3, 3, 3, 3, true, true, 105)]
    [InlineData(2, 5, 6, 2, 2, 3, 4, 1, 2, true, true, 106)] // pads on every side
    public void Conv2d(int batch, int h, int w, int c, int filters, int kh, int kw, int sh, int sw, bool same, bool bias, int seed) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Param("x", batch, h, w, c);
            var weight = g.Param("conv.weight", filters, kh, kw, c);
            var b = bias ? g.Param("conv.bias", filters) : null;
            var y = g.Conv2d(x, weight, b, sh, sw, same ? Conv2dPadding.Same : Conv2dPadding.Valid);
            return ReadOut(g, g.Tanh(y));
        }, seed, batch: batch);

    [Fact]
    public void Conv2d_valid_matches_a_hand_computed_example()
    {
        // x = 1..9 on a 3x3 grid, w = [[1,2],[3,4]], bias 1: y[i,j] = 1 + Σ w · x[i..i+1, j..j+1].
        var y = RunConv(Conv2dPadding.Valid, stride: 1);
        Assert.Equal([38.0, 48.0, 68.0, 78.0], y);
    }

    [Fact]
    public void Conv2d_same_pads_the_bottom_right_with_the_odd_row()
    {
        // 3x3 input, 2x2 kernel, stride 2: output ceil(3/2) = 2, one pad row/column, all bottom/right.
        //   y[0,0] = 1 + 1·1 + 2·2 + 3·4 + 4·5 = 38   y[0,1] = 1 + 1·3 + 3·6 = 22
        //   y[1,0] = 1 + 1·7 + 2·8 = 24               y[1,1] = 1 + 1·9 = 10
        var y = RunConv(Conv2dPadding.Same, stride: 2);
        Assert.Equal([38.0, 22.0, 24.0, 10.0], y);
    }

    private static double[] RunConv(Conv2dPadding padding, int stride)
    {
        var g = new GraphBuilder(1);
        var x = g.Input("x", 3, 3, 1);
        var w = g.Frozen("conv.weight", [1, 2, 3, 4], 1, 2, 2, 1);
        var b = g.Frozen("conv.bias", [1], 1);
        var y = g.Conv2d(x, w, b, stride, padding);
        var feeds = new Dictionary<Tensor, double[]> { [x] = [1, 2, 3, 4, 5, 6, 7, 8, 9] };
        return new Interpreter<double>(g.Graph).Predict(y, feeds);
    }

    [Theory]
    // in, kernel, stride → out, pad before (same): out = ceil(in / stride), odd pad after.
    [InlineData(5, 3, 2, 3, 1)]
    [InlineData(6, 3, 2, 3, 0)]
    [InlineData(4, 2, 1, 4, 0)]
    [InlineData(4, 1, 3, 2, 0)]
    [InlineData(7, 5, 1, 7, 2)]
    [InlineData(2, 5, 1, 2, 2)]
    public void Conv2d_same_padding_shapes(int size, int kernel, int stride, int expectedOut, int expectedPadBefore)
    {
        var g = new GraphBuilder(2);
        var x = g.Input("x", size, size + 1, 3);
        var w = g.Param("conv.weight", 4, kernel, kernel, 3);
        var y = g.Conv2d(x, w, null, stride, Conv2dPadding.Same);
        var expectedW = (size + 1 + stride - 1) / stride;
        Assert.Equal(new Shape(2, expectedOut, expectedW, 4), y.Shape);
        var geometry = ((Conv2dOp)y.Producer!.Op).Geometry(y.Producer);
        Assert.Equal(expectedPadBefore, geometry.PadTop);
    }

    [Fact]
    public void Conv2d_rejects_a_kernel_larger_than_a_valid_input()
    {
        var g = new GraphBuilder(1);
        var x = g.Input("x", 2, 5, 3);
        var ex = Assert.Throws<GraphBuildException>(() => g.Conv2d(x, g.Param("w", 4, 3, 3, 3)));
        Assert.Equal(GraphBuilder.ShapeMismatchCode, ex.Diagnostic.Code);
        Assert.Throws<GraphBuildException>(() => g.Conv2d(x, g.Param("w2", 4, 1, 1, 2)));
    }

    [Fact]
    public void Conv2d_weight_gradient_can_be_fused_with_its_update()
    {
        var g = new GraphBuilder(2);
        var x = g.Input("x", 5, 5, 3);
        var w = g.Param("conv.weight", 4, 3, 2, 3);
        var loss = ReadOut(g, g.Conv2d(x, w));
        var grads = g.Backward(loss, [w]);
        var node = grads[w].Producer!;
        Assert.IsAssignableFrom<IFusedGradient>(node.Op);
        Assert.Equal(2L * 3 * 4 * 4 * (3 * 2 * 3), node.Op.MultiplyAccumulates(node)); // B·OH·OW·F · KH·KW·C
        Assert.DoesNotContain(g.Graph.Nodes, n => n.Op is Conv2dInputGradOp);
    }

    // ---- pooling -----------------------------------------------------------------------------

    [Theory]
    [InlineData(2, 4, 6, 3, 2, 2, 2, 2, 201)]
    [InlineData(1, 5, 5, 2, 3, 3, 2, 2, 202)] // overlapping windows
    [InlineData(2, 7, 5, 1, 2, 2, 3, 3, 203)] // gaps between windows
    [InlineData(1, 4, 6, 2, 2, 3, 1, 3, 204)]
    public void MaxPool2d(int batch, int h, int w, int c, int kh, int kw, int sh, int sw, int seed) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Param("x", batch, h, w, c);
            return ReadOut(g, g.MaxPool2d(x, kh, kw, sh, sw));
        }, seed, batch: batch);

    [Theory]
    [InlineData(2, 4, 6, 3, 2, 2, 2, 2, 211)]
    [InlineData(1, 5, 5, 2, 3, 3, 2, 2, 212)]
    [InlineData(2, 7, 5, 1, 2, 2, 3, 3, 213)]
    [InlineData(1, 4, 6, 2, 2, 3, 1, 3, 214)]
    public void AvgPool2d(int batch, int h, int w, int c, int kh, int kw, int sh, int sw, int seed) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Param("x", batch, h, w, c);
            return ReadOut(g, g.Tanh(g.AvgPool2d(x, kh, kw, sh, sw)));
        }, seed, batch: batch);

    [Fact]
    public void Pooling_forward_values_and_default_stride()
    {
        var g = new GraphBuilder(1);
        var x = g.Input("x", 2, 4, 1);
        var max = g.MaxPool2d(x, 2);
        var avg = g.AvgPool2d(x, 2);
        Assert.Equal(new Shape(1, 1, 2, 1), max.Shape);
        var feeds = new Dictionary<Tensor, double[]> { [x] = [1, 5, 2, 0, 3, -1, 8, 4] };
        var interpreter = new Interpreter<double>(g.Graph);
        Assert.Equal([5.0, 8.0], interpreter.Predict(max, feeds));
        Assert.Equal([2.0, 3.5], interpreter.Predict(avg, feeds));
    }

    [Fact]
    public void MaxPool2d_routes_a_tie_to_the_first_maximum()
    {
        var g = new GraphBuilder(1);
        var x = g.Param("x", [3, 7, 7, 1], 1, 2, 2, 1);
        var loss = ReadOut(g, g.MaxPool2d(x, 2));
        var grads = g.Backward(loss, [x]);
        var interpreter = new Interpreter<double>(g.Graph);
        var target = g.Graph.Targets.Single();
        var values = interpreter.ForwardBackward(new Dictionary<Tensor, double[]> { [target] = [-2] });
        Assert.Equal([0.0, 2.0, 0.0, 0.0], values[grads[x]]);
    }

    // ---- dropout -----------------------------------------------------------------------------

    [Theory]
    [InlineData(3, 17, 0.5, 301)]
    [InlineData(1, 64, 0.2, 302)]
    [InlineData(4, 9, 0.8, 303)]
    public void Dropout(int batch, int features, double p, int seed) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Input("x", features);
            var w = g.Param("fc.weight", features, features);
            var h = g.Dropout(g.Tanh(g.Linear(x, w)), p, seed: (uint)seed);
            return ReadOut(g, h);
        }, seed, batch: batch);

    [Fact]
    public void Dropout_drops_about_p_scales_the_rest_and_changes_with_the_step()
    {
        const double p = 0.3;
        var g = new GraphBuilder(1);
        var x = g.Param("x", Enumerable.Repeat(1f, 10000).ToArray(), 1, 10000);
        var y = g.Dropout(x, p, seed: 7);
        var loss = ReadOut(g, y);
        g.Backward(loss, [x]);
        var target = g.Graph.Targets.Single();
        var feeds = new Dictionary<Tensor, double[]> { [target] = new double[10000] };
        var interpreter = new Interpreter<double>(g.Graph);

        var first = interpreter.ForwardBackward(feeds)[y];
        var dropped = first.Count(v => v == 0);
        Assert.InRange(dropped / 10000.0, p - 0.02, p + 0.02);
        Assert.All(first.Where(v => v != 0), v => Assert.Equal(1 / (1 - (double)(float)p), v, 1e-6));

        interpreter.TrainStep(loss, feeds);
        var second = interpreter.ForwardBackward(feeds)[y];
        Assert.NotEqual(first, second);

        Assert.All(interpreter.Predict(y, feeds), v => Assert.Equal(1.0, v));
        Assert.IsAssignableFrom<IPredictionEmitter>(y.Producer!.Op);
    }

    [Fact]
    public void Dropout_mask_hash_is_pinned()
    {
        // The C kernel (dropout.c) must produce these same bits; changing the hash changes every mask.
        Assert.Equal(0.3, DropoutMask.Threshold(0.3) / 4294967296.0, 9);
        var key = DropoutMask.StepKey(seed: 42, step: 3);
        Assert.Equal([0x874CA22Au, 0x5024F769u, 0xD8A48D14u],
            new[] { DropoutMask.Bits(key, 0), DropoutMask.Bits(key, 1), DropoutMask.Bits(key, 12345) });
    }

    // ---- activations -------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { 3, 7 }, 401)]
    [InlineData(new[] { 2, 3, 4, 2 }, 402)]
    [InlineData(new[] { 1, 13 }, 403)]
    public void Relu(int[] shape, int seed) =>
        GradientCheck.Assert(g => ReadOut(g, g.Relu(g.Param("x", shape))), seed, batch: shape[0]);

    [Theory]
    [InlineData(new[] { 3, 7 }, 0.01f, 411)]
    [InlineData(new[] { 2, 3, 4, 2 }, 0.2f, 412)]
    [InlineData(new[] { 1, 13 }, -0.5f, 413)]
    [InlineData(new[] { 2, 5 }, 0f, 414)]
    public void LeakyRelu(int[] shape, float slope, int seed) =>
        GradientCheck.Assert(g => ReadOut(g, g.LeakyRelu(g.Param("x", shape), slope)), seed, batch: shape[0]);

    [Theory]
    [InlineData(new[] { 3, 7 }, 421)]
    [InlineData(new[] { 2, 3, 4, 2 }, 422)]
    [InlineData(new[] { 1, 13 }, 423)]
    public void Tanh(int[] shape, int seed) =>
        GradientCheck.Assert(g => ReadOut(g, g.Tanh(g.Param("x", shape))), seed, batch: shape[0]);

    [Theory]
    [InlineData(new[] { 3, 7 }, 431)]
    [InlineData(new[] { 2, 3, 4, 2 }, 432)]
    [InlineData(new[] { 1, 13 }, 433)]
    public void Silu(int[] shape, int seed) =>
        GradientCheck.Assert(g => ReadOut(g, g.Silu(g.Param("x", shape))), seed, batch: shape[0]);

    // ---- softmax / log_softmax ---------------------------------------------------------------

    [Theory]
    [InlineData(new[] { 3, 7 }, -1, 501)]
    [InlineData(new[] { 2, 3, 4, 2 }, 2, 502)]
    [InlineData(new[] { 2, 5, 3 }, 1, 503)]
    [InlineData(new[] { 4, 3 }, 0, 504)]
    public void Softmax(int[] shape, int axis, int seed) =>
        GradientCheck.Assert(g => ReadOut(g, g.Softmax(g.Param("x", shape), axis)), seed, batch: shape[0]);

    [Theory]
    [InlineData(new[] { 3, 7 }, -1, 511)]
    [InlineData(new[] { 2, 3, 4, 2 }, 2, 512)]
    [InlineData(new[] { 2, 5, 3 }, -2, 513)]
    [InlineData(new[] { 4, 3 }, 0, 514)]
    public void LogSoftmax_along_an_axis(int[] shape, int axis, int seed) =>
        GradientCheck.Assert(g => ReadOut(g, g.LogSoftmax(g.Param("x", shape), axis)), seed, batch: shape[0]);

    [Fact]
    public void Softmax_along_an_axis_sums_to_one_there()
    {
        var g = new GraphBuilder(2);
        var x = g.Input("x", 3, 4);
        var y = g.Softmax(x, 1);
        var logY = g.LogSoftmax(x, 1);
        var rng = new Random(5);
        var feeds = new Dictionary<Tensor, double[]> { [x] = Enumerable.Range(0, 24).Select(_ => rng.NextDouble() * 10 - 5).ToArray() };
        var interpreter = new Interpreter<double>(g.Graph);
        var v = interpreter.Predict(y, feeds);
        var lv = interpreter.Predict(logY, feeds);
        for (var b = 0; b < 2; b++)
            for (var j = 0; j < 4; j++)
                Assert.Equal(1.0, Enumerable.Range(0, 3).Sum(i => v[(b * 3 + i) * 4 + j]), 12);
        for (var i = 0; i < v.Length; i++) Assert.Equal(Math.Log(v[i]), lv[i], 12);
    }

    // ---- losses ------------------------------------------------------------------------------

    [Theory]
    [InlineData(1, 5, 601)]
    [InlineData(4, 3, 602)]
    [InlineData(3, 10, 603)]
    public void CrossEntropy(int batch, int classes, int seed) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Input("x", 6);
            var w = g.Param("fc.weight", classes, 6);
            return g.CrossEntropyLoss(g.Linear(x, w), g.Target("y", classes));
        }, seed, batch: batch);

    [Fact]
    public void CrossEntropy_equals_nll_of_log_softmax_for_one_hot_targets()
    {
        var g = new GraphBuilder(3);
        var x = g.Input("x", 4);
        var y = g.Target("y", 4);
        var ce = g.CrossEntropyLoss(x, y);
        var nll = g.NllLoss(g.LogSoftmax(x), y);
        var feeds = new Dictionary<Tensor, double[]>
        {
            [x] = [0.5, -1, 2, 0.1, 3, 3, -2, 0, -0.3, 0.7, 0.2, 1.5],
            [y] = [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1],
        };
        var interpreter = new Interpreter<double>(g.Graph);
        Assert.Equal(interpreter.Predict(nll, feeds)[0], interpreter.Predict(ce, feeds)[0], 12);

        // With targets summing to one the gradient is (softmax − target) / B.
        var p = CrossEntropyGradient(new GraphBuilder(3), feeds[x], feeds[y]);
        Assert.Equal(p.Expected, p.Gradient, new ToleranceComparer(1e-12));
    }

    private static (double[] Expected, double[] Gradient) CrossEntropyGradient(GraphBuilder g, double[] logits, double[] targets)
    {
        var x = g.Param("x", logits.Select(v => (float)v).ToArray(), 3, 4);
        var y = g.Target("y", 4);
        var soft = g.Softmax(x);
        var loss = g.CrossEntropyLoss(x, y);
        var grads = g.Backward(loss, [x]);
        var values = new Interpreter<double>(g.Graph).ForwardBackward(new Dictionary<Tensor, double[]> { [y] = targets });
        var expected = values[soft].Select((s, i) => (s - targets[i]) / 3).ToArray();
        return (expected, values[grads[x]]);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }

    [Theory]
    [InlineData(new[] { 1, 5 }, 611)]
    [InlineData(new[] { 4, 3 }, 612)]
    [InlineData(new[] { 2, 3, 2, 2 }, 613)]
    public void Mse(int[] shape, int seed) =>
        GradientCheck.Assert(g => g.MseLoss(g.Tanh(g.Param("x", shape)), g.Target("y", shape[1..])), seed, batch: shape[0]);

    [Fact]
    public void Mse_between_two_computed_tensors_differentiates_both()
    {
        GradientCheck.Assert(g =>
        {
            var a = g.Param("a", 3, 4);
            var b = g.Param("b", 3, 4);
            return g.MseLoss(g.Tanh(a), b);
        }, seed: 614, batch: 3);
    }

    [Fact]
    public void Mse_is_the_mean_over_every_element()
    {
        var g = new GraphBuilder(2);
        var x = g.Input("x", 2);
        var y = g.Target("y", 2);
        var loss = g.MseLoss(x, y);
        var feeds = new Dictionary<Tensor, double[]> { [x] = [1, 2, 3, 4], [y] = [0, 0, 0, 0] };
        Assert.Equal((1 + 4 + 9 + 16) / 4.0, new Interpreter<double>(g.Graph).Predict(loss, feeds)[0]);
    }

    [Theory]
    [InlineData(new[] { 1, 5 }, 621)]
    [InlineData(new[] { 4, 3 }, 622)]
    [InlineData(new[] { 2, 3, 2, 2 }, 623)]
    public void BceWithLogits(int[] shape, int seed) =>
        GradientCheck.Assert(g =>
        {
            var count = shape.Aggregate(1, (a, b) => a * b);
            // Logits up to ±30 exercise the overflow-free formulation on both sides.
            var x = g.Param("x", GradientCheck.RandomValues(count, seed, scale: 30), shape);
            return g.BceWithLogitsLoss(x, g.Target("y", shape[1..]));
        }, seed, batch: shape[0], inputLow: 0, inputHigh: 1);

    [Fact]
    public void BceWithLogits_is_finite_for_huge_logits()
    {
        var g = new GraphBuilder(1);
        var x = g.Input("x", 2);
        var y = g.Target("y", 2);
        var loss = g.BceWithLogitsLoss(x, y);
        var feeds = new Dictionary<Tensor, float[]> { [x] = [500f, -500f], [y] = [0f, 1f] };
        Assert.Equal(500f, new Interpreter<float>(g.Graph).Predict(loss, feeds)[0]);
    }

    [Theory]
    [InlineData(new[] { 1, 5 }, 631)]
    [InlineData(new[] { 4, 3 }, 632)]
    [InlineData(new[] { 2, 3, 2, 2 }, 633)]
    public void Hinge(int[] shape, int seed) =>
        GradientCheck.Assert(g =>
        {
            var count = shape.Aggregate(1, (a, b) => a * b);
            // Scores in ±3 against ±1 targets: some margins active, some not, none at the kink.
            var x = g.Param("x", GradientCheck.RandomValues(count, seed, scale: 3), shape);
            var signs = GradientCheck.RandomValues(count, seed + 1).Select(v => v < 0 ? -1f : 1f).ToArray();
            return g.HingeLoss(x, g.Frozen("y", signs, shape));
        }, seed, batch: shape[0]);

    [Theory]
    [InlineData(2, 4, 641)]
    [InlineData(3, 3, 642)]
    [InlineData(1, 6, 643)]
    public void Losses_take_an_upstream_gradient(int batch, int k, int seed) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Param("x", batch, k);
            var y = g.Target("y", k);
            var signs = GradientCheck.RandomValues(batch * k, seed).Select(v => v < 0 ? -1f : 1f).ToArray();
            Tensor[] parts =
            [
                g.CrossEntropyLoss(x, y), g.MseLoss(x, y), g.BceWithLogitsLoss(x, y),
                g.HingeLoss(g.LeakyRelu(x, 3f), g.Frozen("s", signs, batch, k)),
            ];
            return g.Apply(new WeightedSumOp([0.7, -1.3, 2.1, 0.4]), parts);
        }, seed, batch: batch);

    /// <summary>Σ wᵢ · lossᵢ over scalar losses: gives each loss a non-unit upstream gradient.</summary>
    private sealed class WeightedSumOp(double[] weights) : Op
    {
        public override string Name => "weighted_sum";

        public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
        {
            error = s.Count == weights.Length && s.All(x => x.Rank == 0) ? null : "scalars expected";
            return error is null ? Shape.Scalar : null;
        }

        public override void Evaluate<T>(EvalArgs<T> a)
        {
            var sum = T.Zero;
            for (var i = 0; i < weights.Length; i++) sum += T.CreateChecked(weights[i]) * a.In(i)[0];
            a.Out[0] = sum;
        }

        public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
            weights.Select(w => (Tensor?)ctx.Builder.Apply(new ConstantOp(w), [], null, null)).ToArray();

        public override void Emit(IKernelCallWriter c) => throw new NotSupportedException();
    }

    private sealed class ConstantOp(double value) : Op
    {
        public override string Name => "constant";

        public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
        {
            error = null;
            return Shape.Scalar;
        }

        public override void Evaluate<T>(EvalArgs<T> a) => a.Out[0] = T.CreateChecked(value);
        public override void Emit(IKernelCallWriter c) => throw new NotSupportedException();
    }
}
