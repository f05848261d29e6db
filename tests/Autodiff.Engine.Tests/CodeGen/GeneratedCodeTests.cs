using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Planning;
using Xunit;

namespace Autodiff.Engine.Tests.CodeGen;

/// <summary>
/// The generated C, compiled by the host gcc (strict warnings, then sanitizers), against the
/// reference interpreter in float32: five training steps from the same parameters and data, then
/// every loss, every parameter and a prediction agree to a relative error of 1e-4.
/// </summary>
public class GeneratedCodeTests
{
    public static TheoryData<string> Models => new()
    {
        "mnist_mlp", "adam_mlp", "conv_momentum", "residual_rmsprop", "bce", "hinge", "frozen_weights", "tensor_chain", "silu_mlp",
        "mobile_block", "frozen_backbone",
    };

    public static string ModelPath(string name) => global::Autodiff.Engine.Tests.Model.GoodModels.PathOf(name + ".yaml");

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_matches_the_interpreter_with_strict_warnings(string model) => Compare(model, NativeRun.StrictFlags);

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_C_matches_the_interpreter_under_sanitizers(string model) => Compare(model, NativeRun.SanitizerFlags);

    [Fact]
    public void Identical_models_give_byte_identical_files()
    {
        static string[] Generate(string model)
        {
            var (training, plan) = Plan(model);
            return global::Autodiff.Engine.CodeGen.ModelEmitter.Emit(training, plan, "m.yaml").Select(f => f.Content).ToArray();
        }
        foreach (var model in new[] { "adam_mlp", "residual_rmsprop", "conv_momentum" })
            Assert.Equal(Generate(model), Generate(model));
    }

    internal static (TrainingGraph Training, MemoryPlan Plan) Plan(string model)
    {
        var diagnostics = new DiagnosticBag();
        var (training, plan) = ModelCompiler.Plan(ModelPath(model), diagnostics);
        Assert.True(training is not null && plan is not null, string.Join("\n", diagnostics.Items));
        return (training!, plan!);
    }

    private static void Compare(string model, string[] flags) =>
        CompareWithInterpreter(model, (training, plan, inputs, targets) =>
        {
            var native = NativeRun.Run(training, plan, inputs, targets, flags);
            return (native.Losses, native.Parameters, native.Prediction);
        });

    /// <summary>
    /// Trains <paramref name="model"/> five steps with <paramref name="run"/> (compiled C somewhere) and
    /// with the float32 interpreter from the same parameters and data: every loss, every parameter and,
    /// when the run returns one, the prediction for the first batch agree to 1e-4 relative.
    /// </summary>
    internal static void CompareWithInterpreter(string model,
        Func<TrainingGraph, MemoryPlan, float[][], float[][], (float[] Losses, Dictionary<string, float[]> Parameters, float[]? Prediction)> run)
    {
        const int steps = 5;
        var (training, plan) = Plan(model);
        var rng = new Random(1234);
        var inputs = Enumerable.Range(0, steps).Select(_ => Data(training.Graph.Inputs, rng, isTarget: false, training)).ToArray();
        var targets = Enumerable.Range(0, steps).Select(_ => Data(training.Graph.Targets, rng, isTarget: true, training)).ToArray();

        var (losses, parameters, prediction) = run(training, plan, inputs, targets);

        var interpreter = new Interpreter<float>(training.Graph);
        var expectedLosses = new float[steps];
        for (var s = 0; s < steps; s++)
            expectedLosses[s] = interpreter.TrainStep(training.Loss, Feeds(training, inputs[s], targets[s]));

        Assert.Equal(steps, losses.Length);
        for (var s = 0; s < steps; s++)
            AssertClose($"loss of step {s}", [expectedLosses[s]], [losses[s]]);
        foreach (var p in training.Graph.Parameters)
            AssertClose($"parameter {p.Name}", interpreter.Values(p), parameters[p.Name]);
        if (prediction is not null)
            AssertClose("prediction", interpreter.Predict(training.Prediction, Feeds(training, inputs[0], targets[0])), prediction);
    }

    /// <summary>Random data in declaration order, one block per tensor; targets suit the loss (±1, one-hot or [0,1]).</summary>
    internal static float[] Data(IEnumerable<Tensor> tensors, Random rng, bool isTarget, TrainingGraph training)
    {
        var values = new List<float>();
        var lossOp = training.Loss.Producer!.Op.Name;
        foreach (var t in tensors)
        {
            var perSample = t.Shape.Count / t.Shape[0];
            for (var b = 0; b < t.Shape[0]; b++)
            {
                var hot = rng.Next(perSample);
                for (var i = 0; i < perSample; i++)
                    values.Add(!isTarget ? (float)(rng.NextDouble() * 2 - 1)
                        : lossOp.Contains("hinge") ? (rng.Next(2) == 0 ? -1f : 1f)
                        : lossOp.Contains("bce") || lossOp.Contains("mse") ? (float)rng.NextDouble()
                        : i == hot ? 1f : 0f);
            }
        }
        return values.ToArray();
    }

    private static Dictionary<Tensor, float[]> Feeds(TrainingGraph training, float[] inputs, float[] targets)
    {
        var feeds = new Dictionary<Tensor, float[]>();
        void Split(IEnumerable<Tensor> tensors, float[] data)
        {
            var offset = 0;
            foreach (var t in tensors)
            {
                feeds[t] = data.AsSpan(offset, t.Shape.Count).ToArray();
                offset += t.Shape.Count;
            }
        }
        Split(training.Graph.Inputs, inputs);
        Split(training.Graph.Targets, targets);
        return feeds;
    }

    /// <summary>Largest absolute difference within 1e-4 of the largest expected magnitude.</summary>
    internal static void AssertClose(string what, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)expected[i] - actual[i]));
            norm = Math.Max(norm, Math.Abs((double)expected[i]));
        }
        var relative = diff / Math.Max(norm, 1e-6);
        Assert.True(relative <= 1e-4, $"{what}: relative error {relative:E2} (max abs diff {diff:E2}, scale {norm:E2})");
    }
}
