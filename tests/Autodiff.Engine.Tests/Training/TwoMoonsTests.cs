using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Optimizers;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Training;

/// <summary>
/// Acceptance: a 2-16-16-1 tanh MLP trained with bce_with_logits by the reference interpreter on
/// 200 noisy two-moons points (noise 0.1) must classify at least 97% of them correctly.
/// </summary>
public class TwoMoonsTests(ITestOutputHelper output)
{
    private const int Samples = 200, Batch = 20, Hidden = 16;

    public static TheoryData<string, int> Optimizers => new()
    {
        { "adam", 100 },
        { "sgd_nesterov_cosine", 150 },
        { "rmsprop", 100 },
    };

    private static OptimizerSettings Settings(string name, int steps) => name switch
    {
        "adam" => new Adam(0.01),
        "sgd_nesterov_cosine" => new Sgd(0.1, 0.9, Nesterov: true) { Schedule = new CosineLr(steps, 0.01) },
        "rmsprop" => new RmsProp(0.005),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Mlp_learns_two_moons(string optimizer, int epochs)
    {
        var data = TrainingData.TwoMoons(Samples, noise: 0.1, seed: 7);
        var rng = new Random(1);
        var g = new GraphBuilder(Batch);
        var x = g.Input("x", 2);
        var y = g.Target("y", 1);
        var h1 = g.Tanh(g.Linear(x, g.Param("fc1.weight", TrainingData.Uniform(rng, 2, Hidden * 2), Hidden, 2),
            g.Param("fc1.bias", TrainingData.Uniform(rng, 2, Hidden), Hidden)));
        var h2 = g.Tanh(g.Linear(h1, g.Param("fc2.weight", TrainingData.Uniform(rng, Hidden, Hidden * Hidden), Hidden, Hidden),
            g.Param("fc2.bias", TrainingData.Uniform(rng, Hidden, Hidden), Hidden)));
        var logit = g.Linear(h2, g.Param("fc3.weight", TrainingData.Uniform(rng, Hidden, Hidden), 1, Hidden),
            g.Param("fc3.bias", TrainingData.Uniform(rng, Hidden, 1), 1));
        var steps = epochs * (Samples / Batch);
        var step = OptimizerBuilder.AddTrainingStep(g, g.BceWithLogitsLoss(logit, y), Settings(optimizer, steps));

        var run = new Interpreter<double>(g.Graph);
        double loss = 0;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var sum = 0.0;
            foreach (var batch in TrainingData.Batches(Samples, Batch, rng))
                sum += run.TrainStep(step.Loss, new Dictionary<Tensor, double[]>
                {
                    [x] = TrainingData.Rows(data, batch),
                    [y] = batch.Select(i => (double)data.Labels[i]).ToArray(),
                });
            loss = sum / (Samples / Batch);
        }

        var accuracy = TrainingData.Accuracy(run, x, logit, data, row => row[0] > 0 ? 1 : 0);
        output.WriteLine($"{optimizer}: {steps} steps, final epoch loss {loss:F4}, training accuracy {accuracy:P1}");
        Assert.True(accuracy >= 0.97, $"{optimizer}: training accuracy {accuracy:P1} < 97% (final epoch loss {loss:F4})");
    }
}
