using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Optimizers;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Training;

/// <summary>
/// Acceptance: a small convolutional network (conv 3×3×4, relu, maxpool 2, linear 2,
/// cross_entropy) trained by the reference interpreter on 8×8 images of a horizontal or vertical
/// bar must reach at least 95% accuracy on 200 images it never saw.
/// </summary>
public class BarImagesTests(ITestOutputHelper output)
{
    private const int Size = 8, Filters = 4, Batch = 16, Epochs = 15;

    [Fact]
    public void Conv_net_tells_horizontal_from_vertical_bars()
    {
        var train = TrainingData.Bars(320, Size, noise: 0.3, seed: 3);
        var test = TrainingData.Bars(208, Size, noise: 0.3, seed: 4);
        var rng = new Random(5);

        var g = new GraphBuilder(Batch);
        var x = g.Input("x", Size, Size, 1);
        var y = g.Target("y", 2);
        var conv = g.Conv2d(x, g.Param("conv.weight", TrainingData.Uniform(rng, 9, Filters * 9), Filters, 3, 3, 1),
            g.Param("conv.bias", TrainingData.Uniform(rng, 9, Filters), Filters));
        var pooled = g.MaxPool2d(g.Relu(conv), 2);               // [B, 3, 3, 4]
        var features = 3 * 3 * Filters;
        var logits = g.Linear(g.Flatten(pooled), g.Param("fc.weight", TrainingData.Uniform(rng, features, 2 * features), 2, features),
            g.Param("fc.bias", TrainingData.Uniform(rng, features, 2), 2));
        var step = OptimizerBuilder.AddTrainingStep(g, g.CrossEntropyLoss(logits, y), new Adam(0.01), l2: 1e-4);

        var run = new Interpreter<double>(g.Graph);
        double loss = 0;
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            var sum = 0.0;
            foreach (var batch in TrainingData.Batches(train.Count, Batch, rng))
                sum += run.TrainStep(step.Loss, new Dictionary<Tensor, double[]>
                {
                    [x] = TrainingData.Rows(train, batch),
                    [y] = batch.SelectMany(i => train.Labels[i] == 0 ? new[] { 1.0, 0.0 } : [0.0, 1.0]).ToArray(),
                });
            loss = sum / (train.Count / Batch);
        }

        static int ArgMax(double[] row) => row[1] > row[0] ? 1 : 0;
        var trainAccuracy = TrainingData.Accuracy(run, x, logits, train, ArgMax);
        var testAccuracy = TrainingData.Accuracy(run, x, logits, test, ArgMax);
        output.WriteLine($"{Epochs} epochs, final epoch loss {loss:F4}, accuracy train {trainAccuracy:P1}, test {testAccuracy:P1}");
        Assert.True(testAccuracy >= 0.95, $"test accuracy {testAccuracy:P1} < 95% (train {trainAccuracy:P1}, final epoch loss {loss:F4})");
    }
}
