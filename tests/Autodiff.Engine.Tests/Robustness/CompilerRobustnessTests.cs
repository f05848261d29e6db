using System.Text.RegularExpressions;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Tests.Model;
using Autodiff.Engine.Tests.Planning;
using Xunit;

namespace Autodiff.Engine.Tests.Robustness;

/// <summary>
/// The whole compiler, not only the loader, on models that are valid YAML but have their numbers
/// changed at random: every outcome is either C or located diagnostics, never an internal error.
/// </summary>
public class CompilerRobustnessTests
{
    public static TheoryData<string> Models => new() { "mnist_mlp", "adam_mlp", "conv_momentum", "residual_rmsprop", "bce", "hinge", "tensor_chain", "frozen_weights" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Mutated_numbers_give_code_or_located_diagnostics(string model)
    {
        var path = GoodModels.PathOf(model + ".yaml");
        var text = File.ReadAllText(path);
        var numbers = Regex.Matches(text, @"(?<![\w.])-?\d+(\.\d+)?(e-?\d+)?(?![\w.])").ToArray();
        var keywords = Regex.Matches(text, @"(?<=- )[a-z_0-9]+").ToArray();
        var layerKeywords = new[] { "relu", "flatten", "maxpool2d: { kernel: 2 }", "conv2d: { filters: 2, kernel: 3 }", "linear: { units: 3 }",
            "softmax", "transpose", "sum", "mean: { axes: [0] }", "squeeze", "unsqueeze: { axes: [0] }", "add: { in: [x, x] }", "matmul: { in: x }", "dropout" };
        var replacements = new[] { "0", "1", "2", "3", "-1", "7", "64", "0.5", "100000", "4096" };
        var board = MemoryPlanTests.Board("stm32f4");
        var rng = new Random(model.GetHashCode() & 0xffff);
        var dir = Path.GetDirectoryName(path)!;
        var (compiled, rejectedByGraph) = (0, 0);

        for (var trial = 0; trial < 60; trial++)
        {
            // Half the trials change a number, half replace a layer keyword (with its arguments) by another layer.
            string mutated;
            if (trial % 2 == 0 || keywords.Length == 0)
            {
                var m = numbers[rng.Next(numbers.Length)];
                mutated = text[..m.Index] + replacements[rng.Next(replacements.Length)] + text[(m.Index + m.Length)..];
            }
            else
            {
                var k = keywords[rng.Next(keywords.Length)];
                var lineEnd = text.IndexOf('\n', k.Index);
                mutated = text[..k.Index] + layerKeywords[rng.Next(layerKeywords.Length)] + text[(lineEnd < 0 ? text.Length : lineEnd)..];
            }
            var file = Path.Combine(dir, $"{model}.mutant.yaml");
            File.WriteAllText(file, mutated);

            var result = ModelCompiler.Compile(new CompileRequest(file, board, KernelChoice.Portable));

            Assert.DoesNotContain(result.Diagnostics, d => d.Code is ModelCompiler.InternalErrorCode or "AD1000");
            if (result.Succeeded)
            {
                Assert.NotEmpty(result.Files);
                compiled++;
            }
            else
            {
                if (result.Diagnostics.Any(d => d.Code.StartsWith("AD2") || d.Code.StartsWith("AD3"))) rejectedByGraph++;
                Assert.Empty(result.Files);
                Assert.All(result.Diagnostics.Where(d => d.IsError), d => Assert.NotNull(d.Location));
            }
        }

        // The mutations must reach past the loader: some compile, some fail in the graph or the plan.
        Assert.True(compiled > 0 && rejectedByGraph > 0, $"compiled {compiled}, rejected by graph or plan {rejectedByGraph}");
    }
}
