using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Xunit;

namespace Autodiff.Engine.Tests.Gradients;

/// <summary>
/// Backward rules of the tensor ops (arithmetic with broadcasting, math functions, matmul,
/// transpose, reductions, shape ops) against central finite differences. Shapes are written
/// as "2,3,4" ("" is a scalar); every differentiated tensor is a parameter.
/// </summary>
public class TensorOpGradientTests
{
    private static int[] Dims(string s) => s.Length == 0 ? [] : s.Split(',').Select(int.Parse).ToArray();

    private static int CountOf(int[] dims) => dims.Aggregate(1, (n, d) => n * d);

    /// <summary>A scalar loss that weighs every element of <paramref name="y"/> differently, so each gets its own upstream gradient.</summary>
    private static Tensor WeightedSum(GraphBuilder g, Tensor y, int seed)
    {
        var weights = g.Frozen(g.UniqueName("weights"), GradientCheck.RandomValues(y.Shape.Count, seed), y.Shape.ToArray());
        return g.Sum(g.Mul(y, weights));
    }

    /// <summary>A parameter with values in [0.5, 1.5], for ops that need positive inputs.</summary>
    private static Tensor PositiveParam(GraphBuilder g, string name, int[] dims, int seed) =>
        g.Param(name, GradientCheck.RandomValues(CountOf(dims), seed, 0.5).Select(v => v + 1f).ToArray(), dims);

    // ---- binary arithmetic with broadcasting ------------------------------------------------

    [Theory]
    [InlineData("add", "2,3", "2,3")]
    [InlineData("add", "2,3,4", "4")]
    [InlineData("add", "2,1,4", "3,1")]
    [InlineData("add", "", "2,2")]
    [InlineData("sub", "3,4", "3,4")]
    [InlineData("sub", "2,3,4", "3,1")]
    [InlineData("sub", "1,4", "3,1")]
    [InlineData("mul", "2,3", "2,3")]
    [InlineData("mul", "4", "2,3,4")]
    [InlineData("mul", "2,1,3", "1,4,1")]
    [InlineData("div", "2,3", "2,3")]
    [InlineData("div", "2,3,4", "4")]
    [InlineData("div", "3,1", "1,5")]
    [InlineData("div", "", "2,3")]
    public void Binary_ops_broadcast(string op, string shapeA, string shapeB) =>
        GradientCheck.Assert(g =>
        {
            var a = g.Param("a", Dims(shapeA));
            // The divisor stays away from 0, where a finite difference is meaningless.
            var b = op == "div" ? PositiveParam(g, "b", Dims(shapeB), 3) : g.Param("b", Dims(shapeB));
            var z = op switch
            {
                "add" => g.Add(a, b),
                "sub" => g.Sub(a, b),
                "mul" => g.Mul(a, b),
                _ => g.Div(a, b),
            };
            return WeightedSum(g, z, 7);
        }, seed: 101 + shapeA.Length + 7 * shapeB.Length);

    [Theory]
    [InlineData(1, 3)]
    [InlineData(3, 4)]
    [InlineData(2, 1)]
    public void Bias_and_scale_broadcast_over_a_batched_input(int batch, int features) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Input("x", 2, features);
            var scale = g.Param("scale", features);
            var shift = g.Param("shift", 2, 1);
            return WeightedSum(g, g.Sub(g.Mul(x, scale), g.Div(shift, g.Exp(scale))), 5);
        }, seed: 11 * batch + features, batch: batch);

    // ---- unary math --------------------------------------------------------------------------

    [Theory]
    [InlineData("neg", "3")]
    [InlineData("neg", "2,3")]
    [InlineData("neg", "2,2,3")]
    [InlineData("exp", "4")]
    [InlineData("exp", "2,3")]
    [InlineData("exp", "3,1,2")]
    [InlineData("log", "5")]
    [InlineData("log", "2,4")]
    [InlineData("log", "2,2,2")]
    [InlineData("sqrt", "3")]
    [InlineData("sqrt", "3,2")]
    [InlineData("sqrt", "1,2,3")]
    [InlineData("sin", "6")]
    [InlineData("sin", "2,3")]
    [InlineData("sin", "2,1,4")]
    [InlineData("cos", "6")]
    [InlineData("cos", "3,2")]
    [InlineData("cos", "2,2,2")]
    public void Unary_math(string op, string shape) =>
        GradientCheck.Assert(g =>
        {
            var x = op is "log" or "sqrt" ? PositiveParam(g, "x", Dims(shape), 17) : g.Param("x", Dims(shape));
            var y = op switch
            {
                "neg" => g.Neg(x),
                "exp" => g.Exp(x),
                "log" => g.Log(x),
                "sqrt" => g.Sqrt(x),
                "sin" => g.Sin(x),
                _ => g.Cos(x),
            };
            return WeightedSum(g, y, 23);
        }, seed: 31 + shape.Length);

    [Theory]
    [InlineData(2f, "4")]
    [InlineData(3f, "2,3")]
    [InlineData(0.5f, "3,2")]
    [InlineData(-1.5f, "2,2,2")]
    [InlineData(2.25f, "1,5")]
    public void Pow_with_a_constant_exponent(float exponent, string shape) =>
        GradientCheck.Assert(g => WeightedSum(g, g.Pow(PositiveParam(g, "x", Dims(shape), 41), exponent), 43), seed: 47);

    [Fact]
    public void Pow_of_an_integer_exponent_takes_negative_bases() =>
        GradientCheck.Assert(g => WeightedSum(g, g.Pow(g.Param("x", 2, 3), 3f), 53), seed: 59);

    // ---- matmul ------------------------------------------------------------------------------

    [Theory]
    [InlineData("2,3", "3,4")]
    [InlineData("2,2,3", "3,4")]
    [InlineData("2,2,3", "2,3,4")]
    [InlineData("3,1,2,3", "2,3,5")]
    [InlineData("2,3", "4,3,2")]
    [InlineData("1,4", "4,1")]
    public void MatMul_with_broadcast_batch_axes(string shapeA, string shapeB) =>
        GradientCheck.Assert(g => WeightedSum(g, g.MatMul(g.Param("a", Dims(shapeA)), g.Param("b", Dims(shapeB))), 61),
            seed: 67 + shapeA.Length * 3 + shapeB.Length);

    [Theory]
    [InlineData(1, 2, 3, 4)]
    [InlineData(3, 2, 3, 4)]
    [InlineData(2, 4, 1, 2)]
    public void MatMul_applies_one_matrix_to_every_sample(int batch, int m, int k, int n) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Input("x", m, k);
            var w = g.Param("w", k, n);
            var h = g.MatMul(x, w);
            // A second product whose left operand carries the batch makes the weight gradient
            // sum over the batch in both backward kernels.
            var v = g.Param("v", batch, n, 2);
            return WeightedSum(g, g.MatMul(h, v), 71);
        }, seed: 73 + batch, batch: batch);

    // ---- transpose ---------------------------------------------------------------------------

    [Theory]
    [InlineData("2,3", "")]
    [InlineData("2,3,4", "")]
    [InlineData("2,3,4", "2,0,1")]
    [InlineData("2,3,4,5", "0,2,-1,1")]
    public void Transpose(string shape, string perm) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Param("x", Dims(shape));
            // The loss weighs every position differently, so a wrong permutation shows.
            var t = g.Transpose(x, Dims(perm));
            return WeightedSum(g, g.Mul(t, g.Exp(t)), 79);
        }, seed: 83 + shape.Length + perm.Length);

    [Fact]
    public void Transpose_inside_a_product() =>
        GradientCheck.Assert(g =>
        {
            var a = g.Param("a", 2, 3, 4);
            return WeightedSum(g, g.MatMul(a, g.Transpose(a)), 89);
        }, seed: 97);

    // ---- reductions --------------------------------------------------------------------------

    [Theory]
    [InlineData("sum", "2,3,4", "1", false)]
    [InlineData("sum", "2,3,4", "0,2", true)]
    [InlineData("sum", "3,4", null, false)]
    [InlineData("sum", "2,3,4,5", "-1,1", true)]
    [InlineData("mean", "2,3,4", "1", false)]
    [InlineData("mean", "2,3,4", "0,2", true)]
    [InlineData("mean", "3,4", null, false)]
    [InlineData("mean", "2,3,4,5", "-1,1", false)]
    [InlineData("max", "2,3,4", "1", false)]
    [InlineData("max", "2,3,4", "0,2", true)]
    [InlineData("max", "3,4", null, false)]
    [InlineData("max", "2,3,4,5", "-1,1", true)]
    public void Reductions(string op, string shape, string? axes, bool keepDims) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Param("x", Dims(shape));
            var ax = axes is null ? null : Dims(axes);
            var y = op switch
            {
                "sum" => g.Sum(x, ax, keepDims),
                "mean" => g.Mean(x, ax, keepDims),
                _ => g.Max(x, ax, keepDims),
            };
            return WeightedSum(g, y, 101);
        }, seed: 103 + shape.Length + (axes?.Length ?? 0));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Mean_over_the_batch_as_a_loss(int batch) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Input("x", 3);
            var w = g.Param("w", 3, 2);
            var h = g.MatMul(x, w);
            // Per-sample max, then the batch mean: a scalar loss built from reductions alone.
            return g.Mean(g.Max(h, ReductionAxes.FromPerSample([0])));
        }, seed: 107 + batch, batch: batch);

    // ---- shape ops ---------------------------------------------------------------------------

    [Theory]
    [InlineData(1, "3,4", "12", "12")]
    [InlineData(2, "3,4", "2,-1", "2,6")]
    [InlineData(3, "2,3,2", "6,2", "6,2")]
    public void Reshape_keeps_the_batch(int batch, string perSample, string target, string expected) =>
        GradientCheck.Assert(g =>
        {
            var p = g.Param("p", [batch, .. Dims(perSample)]);
            var r = g.Reshape(g.Sin(p), Dims(target));
            Assert.Equal([batch, .. Dims(expected)], r.Shape.ToArray());
            return WeightedSum(g, g.Mul(r, r), 109);
        }, seed: 113 + batch, batch: batch);

    [Theory]
    [InlineData(1, "3,4")]
    [InlineData(2, "2,3,2")]
    [InlineData(3, "5")]
    public void Flatten(int batch, string perSample) =>
        GradientCheck.Assert(g =>
        {
            var p = g.Param("p", [batch, .. Dims(perSample)]);
            var f = g.Flatten(p);
            Assert.Equal([batch, CountOf(Dims(perSample))], f.Shape.ToArray());
            return WeightedSum(g, g.Exp(f), 127);
        }, seed: 131 + batch, batch: batch);

    [Theory]
    [InlineData("2,1,3", "1")]
    [InlineData("1,3,1,2", "-2")]
    [InlineData("2,1,1", "")]
    public void Squeeze(string shape, string axes) =>
        GradientCheck.Assert(g =>
        {
            var p = g.Param("p", Dims(shape));
            return WeightedSum(g, g.Cos(g.Squeeze(p, Dims(axes))), 137);
        }, seed: 139 + shape.Length);

    [Theory]
    [InlineData("2,3", "1")]
    [InlineData("3", "0,-1")]
    [InlineData("2,3", "0,2")]
    public void Unsqueeze(string shape, string axes) =>
        GradientCheck.Assert(g =>
        {
            var p = g.Param("p", Dims(shape));
            var u = g.Unsqueeze(p, Dims(axes));
            Assert.Equal(Dims(shape).Length + Dims(axes).Length, u.Shape.Rank);
            // Broadcasting against another parameter along the inserted axes makes them matter.
            var q = g.Param("q", u.Shape.Dims.Select(d => d == 1 ? 2 : d).ToArray());
            return WeightedSum(g, g.Mul(u, q), 149);
        }, seed: 151 + shape.Length);

    [Theory]
    [InlineData(2, "3", "2,3")]
    [InlineData(1, "2,1", "2,4")]
    [InlineData(3, "1,1,2", "2,3,2")]
    public void Broadcast(int batch, string shape, string perSampleTarget) =>
        GradientCheck.Assert(g =>
        {
            var p = g.Param("p", Dims(shape));
            var b = g.Broadcast(p, Dims(perSampleTarget));
            Assert.Equal([batch, .. Dims(perSampleTarget)], b.Shape.ToArray());
            return WeightedSum(g, g.Sin(b), 157);
        }, seed: 163 + batch, batch: batch);

    [Theory]
    [InlineData("2,3,4", "3,1")]
    [InlineData("2,3,4", "4")]
    [InlineData("3,2", "1,1")]
    public void Sum_to_shape(string shape, string target) =>
        GradientCheck.Assert(g =>
        {
            var p = g.Param("p", Dims(shape));
            return WeightedSum(g, g.SumToShape(g.Sin(p), new Shape(Dims(target))), 167);
        }, seed: 173 + target.Length);

    // ---- graphs ------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void Residual_graph_with_fan_out(int batch) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Input("x", 2, 4);
            var y = g.Target("y", 2, 4);
            var w = g.Param("w", 4, 4);
            var gain = g.Param("gain", 4);
            // h feeds the residual sum, the product and the normaliser: three uses, three contributions.
            var h = g.Sin(g.MatMul(x, w));
            var r = g.Add(h, g.Mul(h, gain));
            var norm = g.Sqrt(g.Add(g.Mean(g.Pow(h, 2f), [-1], keepDims: true), g.Exp(gain)));
            var out_ = g.Div(r, norm);
            var flat = g.Flatten(g.Transpose(out_));
            var target = g.Flatten(g.Transpose(y));
            // Mean squared error per sample, averaged over the batch.
            return g.Mean(g.Sum(g.Pow(g.Sub(flat, target), 2f), [1]));
        }, seed: 181 + batch, batch: batch);

    // ---- shape rules -------------------------------------------------------------------------

    public static TheoryData<Op, int[][]> BadShapes => new()
    {
        { new AddOp(), [[2, 3], [4]] },
        { new MulOp(), [[2, 3, 4], [3, 3]] },
        { new DivOp(), [[2, 3]] },
        { new MatMulOp(), [[2, 3], [4, 5]] },
        { new MatMulOp(), [[3], [3, 2]] },
        { new MatMulOp(), [[2, 2, 3], [3, 3, 4]] },
        { new TransposeOp([0, 0]), [[2, 3]] },
        { new TransposeOp([0, 1, 2]), [[2, 3]] },
        { new TransposeOp(), [[5]] },
        { new SumOp([2]), [[2, 3]] },
        { new MeanOp([1, -1]), [[2, 3]] },
        { new MaxOp([-3]), [[2, 3]] },
        { new ReshapeOp(new Shape(2, 5)), [[2, 3]] },
        { new SqueezeOp([1]), [[2, 3]] },
        { new UnsqueezeOp([3]), [[2, 3]] },
        { new BroadcastToOp(new Shape(2, 3)), [[2, 2]] },
        { new BroadcastToOp(new Shape(3)), [[2, 3]] },
        { new SumToShapeOp(new Shape(4)), [[2, 3]] },
        { new AddOp(), [Enumerable.Repeat(1, 9).ToArray(), [2]] },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void Bad_shapes_give_null_and_a_reason(Op op, int[][] shapes)
    {
        var shape = op.InferShape(shapes.Select(s => new Shape(s)).ToArray(), out var error);
        Assert.Null(shape);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    public static TheoryData<Op, int[][], int[]> GoodShapes => new()
    {
        { new AddOp(), [[2, 1, 4], [3, 1]], [2, 3, 4] },
        { new SubOp(), [[], [2, 3]], [2, 3] },
        { new MatMulOp(), [[5, 2, 3], [3, 4]], [5, 2, 4] },
        { new MatMulOp(), [[3, 1, 2, 3], [2, 3, 5]], [3, 2, 2, 5] },
        { new TransposeOp(), [[2, 3, 4]], [2, 4, 3] },
        { new TransposeOp([2, 0, -2]), [[2, 3, 4]], [4, 2, 3] },
        { new SumOp([1]), [[2, 3, 4]], [2, 4] },
        { new MeanOp([0, -1], keepDims: true), [[2, 3, 4]], [1, 3, 1] },
        { new MaxOp(), [[2, 3]], [] },
        { new FlattenOp(), [[2, 3, 4]], [2, 12] },
        { new SqueezeOp(), [[1, 3, 1]], [1, 3] },
        { new UnsqueezeOp([0, -1]), [[2, 3]], [1, 2, 3, 1] },
        { new BroadcastToOp(new Shape(2, 3, 4)), [[3, 1]], [2, 3, 4] },
        { new SumToShapeOp(new Shape(3, 1)), [[2, 3, 4]], [3, 1] },
    };

    [Theory]
    [MemberData(nameof(GoodShapes))]
    public void Shape_rules(Op op, int[][] shapes, int[] expected)
    {
        var shape = op.InferShape(shapes.Select(s => new Shape(s)).ToArray(), out var error);
        Assert.Null(error);
        Assert.Equal(expected, shape!.ToArray());
    }

    [Fact]
    public void Builder_reports_a_bad_reshape_as_AD2001()
    {
        var g = new GraphBuilder(2);
        var x = g.Input("x", 3, 4);
        var e = Assert.Throws<GraphBuildException>(() => g.Reshape(x, 5, -1));
        Assert.Equal(GraphBuilder.ShapeMismatchCode, e.Diagnostic.Code);
        Assert.Contains("reshape", e.Message);
        Assert.Throws<GraphBuildException>(() => g.MatMul(x, g.Param("w", 3, 4)));
    }

    [Fact]
    public void Per_sample_axes_map_past_the_batch()
    {
        Assert.Equal([1, 3, -1], ReductionAxes.FromPerSample([0, 2, -1]));
        Assert.Equal([0, 2, 1], TransposeOp.FromPerSample([1, 0]));
    }

    // ---- kernel calls ------------------------------------------------------------------------

    [Fact]
    public void Broadcast_calls_merge_axes_and_equal_counts_use_the_flat_kernel()
    {
        var g = new GraphBuilder(2);
        var x = g.Input("x", 3, 4, 5);
        var bias = g.Param("bias", 5);
        var y = g.Add(x, bias);
        var same = g.Add(y, y);
        var reduced = g.Sum(y, [2, 3]);

        Assert.Equal("ad_add_broadcast_f32(in0, in1, out, 2u, (const uint32_t[]){24u, 5u}, (const uint32_t[]){5u, 1u}, (const uint32_t[]){0u, 1u});",
            EmitOf(y));
        Assert.Equal("ad_add_f32(in0, in1, out, 120u);", EmitOf(same));
        // The reduction is loops of the generated code: kept axes merged to 6 groups, reduced axes to 20 contiguous floats.
        var reduction = EmitOf(reduced);
        Assert.Contains("for (uint32_t i0 = 0; i0 < 6u; ++i0) {", reduction);
        Assert.Contains("const size_t base = (size_t)i0 * 20u;", reduction);
        Assert.Contains("for (uint32_t r0 = 0; r0 < 20u; ++r0) {", reduction);
        Assert.Contains("acc += in0[base + r0];", reduction);
        Assert.DoesNotContain("i1", reduction);

        var w = g.Param("w", 5, 6);
        var mm = g.MatMul(y, w);
        Assert.Equal("ad_matmul_f32(in0, in1, out, 4u, 5u, 6u, 1u, (const uint32_t[]){6u}, (const uint32_t[]){20u}, (const uint32_t[]){0u}, (const uint32_t[]){24u});",
            EmitOf(mm));
    }

    private static string EmitOf(Tensor t)
    {
        var writer = new RecordingWriter(t.Producer!);
        t.Producer!.Op.Emit(writer);
        return string.Join("\n", writer.Lines);
    }

    private sealed class RecordingWriter(Node node) : IKernelCallWriter
    {
        public List<string> Lines { get; } = [];
        public Node Node { get; } = node;
        public string In(int index) => $"in{index}";
        public string Out => "out";
        public string Ptr(Tensor tensor) => tensor.Name;
        public string StepCounter => "step";
        public string StepLocal(string what) => "step_" + what;
        public void Line(string code) => Lines.Add(code);

        public void Call(string function, params object[] args) => Lines.Add(Expression(function, args) + ";");

        public string Expression(string function, params object[] args) =>
            $"{function}({string.Join(", ", args.Select(a => a switch
            {
                int i => $"{i}u",
                float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f",
                _ => a.ToString(),
            }))})";
    }
}
