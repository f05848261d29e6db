using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Xunit;

namespace Autodiff.Engine.Tests.Gradients;

/// <summary>
/// Checks reverse-mode gradients against central finite differences in double precision.
/// The graph under test is built by a callback that receives a builder and returns the scalar
/// loss; every trainable parameter it declares is checked, element by element.
/// </summary>
public static class GradientCheck
{
    /// <summary>
    /// Builds the graph, differentiates it, and asserts that for every parameter
    /// ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖, 1e-8) ≤ <paramref name="tolerance"/>.
    /// Inputs and targets get random values in [-1, 1] (or [<paramref name="inputLow"/>, <paramref name="inputHigh"/>]).
    /// </summary>
    public static void Assert(Func<GraphBuilder, Tensor> build, int seed, double tolerance = 1e-6,
        int batch = 1, double inputLow = -1, double inputHigh = 1, double step = 1e-5)
    {
        var g = new GraphBuilder(batch);
        var loss = build(g);
        var parameters = g.Graph.Parameters.ToArray();
        Xunit.Assert.NotEmpty(parameters);
        var grads = g.Backward(loss, parameters);

        var rng = new Random(seed);
        var feeds = g.Graph.Tensors
            .Where(t => t.Role is TensorRole.Input or TensorRole.Target)
            .ToDictionary(t => t, t => Enumerable.Range(0, t.Shape.Count)
                .Select(_ => inputLow + (inputHigh - inputLow) * rng.NextDouble()).ToArray());

        var interpreter = new Interpreter<double>(g.Graph);
        foreach (var p in g.Graph.Tensors.Where(t => t.IsPersistent && t.InitialValue is null))
        {
            var v = interpreter.Values(p);
            for (var i = 0; i < v.Length; i++) v[i] = rng.NextDouble() * 2 - 1;
        }

        var computed = interpreter.ForwardBackward(feeds);
        foreach (var p in parameters)
        {
            var analytic = grads.TryGetValue(p, out var gt) ? computed[gt] : new double[p.Shape.Count];
            var values = interpreter.Values(p);
            var numeric = new double[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var saved = values[i];
                values[i] = saved + step;
                var plus = interpreter.ForwardBackward(feeds)[loss][0];
                values[i] = saved - step;
                var minus = interpreter.ForwardBackward(feeds)[loss][0];
                values[i] = saved;
                numeric[i] = (plus - minus) / (2 * step);
            }

            var error = RelativeError(analytic, numeric);
            Xunit.Assert.True(error <= tolerance,
                $"gradient of '{p.Name}' {p.Shape}: relative error {error:E3} > {tolerance:E1}\n" +
                $" analytic {string.Join(", ", analytic.Take(6).Select(v => v.ToString("G6")))}\n" +
                $" numeric  {string.Join(", ", numeric.Take(6).Select(v => v.ToString("G6")))}");
        }
    }

    public static double RelativeError(double[] a, double[] b)
    {
        double diff = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Max(Math.Sqrt(na), Math.Sqrt(nb)), 1e-8);
    }

    /// <summary>Random float values in [-scale, scale], for parameters that need a fixed start.</summary>
    public static float[] RandomValues(int count, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
    }
}
