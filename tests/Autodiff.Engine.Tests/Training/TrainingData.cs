using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Tests.Training;

/// <summary>A labelled data set: one row of features per sample and its class.</summary>
public sealed record LabelledData(double[][] Features, int[] Labels)
{
    public int Count => Labels.Length;
}

/// <summary>Deterministic data sets, initialisation and a mini-batch loop for the training tests.</summary>
public static class TrainingData
{
    /// <summary>
    /// Two interleaving half circles (as scikit-learn's make_moons): the upper one centred at the
    /// origin, class 0; the lower one shifted to (1, 0.5), class 1; angles evenly spaced; Gaussian
    /// noise of standard deviation <paramref name="noise"/> on both coordinates.
    /// </summary>
    public static LabelledData TwoMoons(int count, double noise, int seed)
    {
        var rng = new Random(seed);
        var features = new double[count][];
        var labels = new int[count];
        var half = count / 2;
        for (var i = 0; i < count; i++)
        {
            var upper = i < half;
            var k = upper ? i : i - half;
            var n = upper ? half : count - half;
            var angle = Math.PI * k / (n - 1);
            var (px, py) = upper ? (Math.Cos(angle), Math.Sin(angle)) : (1 - Math.Cos(angle), 0.5 - Math.Sin(angle));
            features[i] = [px + noise * Gaussian(rng), py + noise * Gaussian(rng)];
            labels[i] = upper ? 0 : 1;
        }
        return new LabelledData(features, labels);
    }

    /// <summary>
    /// size×size one-channel images (NHWC, C = 1) with one bright bar on a noisy background:
    /// class 0 horizontal, class 1 vertical. Bars are 3 to size pixels long at a random place,
    /// with brightness 0.7–1; the background is uniform noise in [0, <paramref name="noise"/>).
    /// </summary>
    public static LabelledData Bars(int count, int size, double noise, int seed)
    {
        var rng = new Random(seed);
        var features = new double[count][];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var image = new double[size * size];
            for (var p = 0; p < image.Length; p++) image[p] = noise * rng.NextDouble();
            var vertical = i % 2 == 1;
            var length = rng.Next(3, size + 1);
            var across = rng.Next(size);
            var start = rng.Next(size - length + 1);
            var brightness = 0.7 + 0.3 * rng.NextDouble();
            for (var j = start; j < start + length; j++)
            {
                var (row, col) = vertical ? (j, across) : (across, j);
                image[row * size + col] = brightness;
            }
            features[i] = image;
            labels[i] = vertical ? 1 : 0;
        }
        return new LabelledData(features, labels);
    }

    /// <summary>PyTorch's default initialisation of linear and conv layers: U(−1/√fan_in, 1/√fan_in).</summary>
    public static float[] Uniform(Random rng, int fanIn, int count)
    {
        var bound = 1 / Math.Sqrt(fanIn);
        return Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 2 - 1) * bound)).ToArray();
    }

    /// <summary>Shuffled mini-batches of sample indices (a deterministic permutation per epoch); a last partial batch is dropped.</summary>
    public static IEnumerable<int[]> Batches(int count, int batch, Random rng)
    {
        var order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(order);
        for (var start = 0; start + batch <= count; start += batch)
            yield return order[start..(start + batch)];
    }

    /// <summary>Concatenated features of the samples in <paramref name="batch"/>.</summary>
    public static double[] Rows(LabelledData data, int[] batch) => batch.SelectMany(i => data.Features[i]).ToArray();

    /// <summary>Fraction of samples whose predicted class (by <paramref name="classify"/> on each output row) is right.</summary>
    public static double Accuracy(Interpreter<double> run, Tensor input, Tensor output, LabelledData data, Func<double[], int> classify)
    {
        var batch = input.Shape[0];
        var width = output.Shape.Count / batch;
        var correct = 0;
        var total = 0;
        for (var start = 0; start + batch <= data.Count; start += batch)
        {
            var indices = Enumerable.Range(start, batch).ToArray();
            var predicted = run.Predict(output, new Dictionary<Tensor, double[]> { [input] = Rows(data, indices) });
            for (var b = 0; b < batch; b++)
                if (classify(predicted[(b * width)..((b + 1) * width)]) == data.Labels[start + b]) correct++;
            total += batch;
        }
        return (double)correct / total;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
