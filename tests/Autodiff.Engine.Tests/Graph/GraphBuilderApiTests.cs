using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Lowering;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Optimizers;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;

namespace Autodiff.Engine.Tests.Graph;

/// <summary>Models can be built from code as well as from YAML, and both give the same training step.</summary>
public class GraphBuilderApiTests
{
    [Fact]
    public void The_seed_mnist_mlp_built_from_code_trains_exactly_like_the_yaml_model()
    {
        // From code, reading like the model on paper.
        var g = new GraphBuilder(batch: 1);
        var x = g.Input("x", 784);
        var y = g.Target("y", 10);
        var w1 = g.Param("fc1.weight", ParameterInit.Uniform(42, 0, 0, 32 * 784, 784), 32, 784);
        var w2 = g.Param("fc2.weight", ParameterInit.Uniform(42, 2, 0, 10 * 32, 32), 10, 32);
        var logits = g.MatMul(g.Sigmoid(g.MatMul(x, g.Transpose(w1, 1, 0))), g.Transpose(w2, 1, 0));
        var loss = g.NllLoss(g.LogSoftmax(logits), y);
        var grads = g.Backward(loss, [w1, w2]);
        OptimizerBuilder.AddUpdates(g, grads, new Sgd(0.01));

        // From the seed's YAML.
        var (training, _) = ModelCompiler.Plan(GeneratedCodeTests.ModelPath("mnist_mlp"), new DiagnosticBag());

        var fromCode = new Interpreter<double>(g.Graph);
        var fromYaml = new Interpreter<double>(training!.Graph);
        var rng = new Random(5);
        for (var step = 0; step < 3; step++)
        {
            var xs = Enumerable.Range(0, 784).Select(_ => rng.NextDouble()).ToArray();
            var ys = Enumerable.Range(0, 10).Select(i => i == step ? 1.0 : 0.0).ToArray();
            var a = fromCode.TrainStep(loss, new Dictionary<Tensor, double[]> { [x] = xs, [y] = ys });
            var b = fromYaml.TrainStep(training.Loss, new Dictionary<Tensor, double[]>
                { [training.Graph.Inputs.Single()] = xs, [training.Graph.Targets.Single()] = ys });
            Assert.Equal(b, a, 12);
        }
        Assert.Equal(fromYaml.Values("fc1.weight"), fromCode.Values(w1), new ToleranceComparer(1e-12));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }
}
