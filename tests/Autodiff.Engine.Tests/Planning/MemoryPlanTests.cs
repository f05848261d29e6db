using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Planning;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;

namespace Autodiff.Engine.Tests.Planning;

public class MemoryPlanTests
{
    private static readonly string BoardsDirectory = Path.Combine(NativeRun.RepositoryRoot, "sdk", "Autodiff.Sdk", "boards");

    public static BoardSpec Board(string name) =>
        BoardCatalog.Load(BoardsDirectory, name, new DiagnosticBag()) ?? throw new InvalidOperationException($"board {name}");

    private static string Model(string name) => GeneratedCodeTests.ModelPath(name);

    [Fact]
    public void Seed_mnist_mlp_fits_stm32f4_close_to_its_lower_bound()
    {
        var result = ModelCompiler.Compile(new CompileRequest(Model("mnist_mlp"), Board("stm32f4"), KernelChoice.Portable));
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));

        var (_, plan) = ModelCompiler.Plan(Model("mnist_mlp"), new DiagnosticBag());
        Assert.True(plan!.ArenaBytes <= 108_000, $"arena {plan.ArenaBytes} B");
        Assert.True(plan.ArenaBytes <= 1.02 * plan.LowerBoundBytes, $"arena {plan.ArenaBytes} B vs lower bound {plan.LowerBoundBytes} B");
        Assert.True(plan.HasFusedUpdates);
        Assert.Contains($"#define MNIST_MLP_ARENA_BYTES {plan.ArenaBytes}u", result.Files.Single(f => f.RelativePath == "mnist_mlp.h").Content);
    }

    [Fact]
    public void Fused_updates_need_about_half_the_ram_of_a_plan_storing_every_gradient()
    {
        var (training, fused) = ModelCompiler.Plan(Model("mnist_mlp"), new DiagnosticBag());
        var stored = MemoryPlanner.Plan(training!, new PlanOptions(FuseUpdates: false));
        Assert.True(fused!.ArenaBytes < 0.55 * stored.ArenaBytes, $"fused {fused.ArenaBytes} B, stored {stored.ArenaBytes} B");
    }

    [Fact]
    public void Mnist_mlp_with_adam_is_over_budget_on_stm32f4_and_says_what_would_fit()
    {
        var path = WithOptimizer("adam: { lr: 0.001 }");
        var result = ModelCompiler.Compile(new CompileRequest(path, Board("stm32f4"), KernelChoice.Portable));

        Assert.False(result.Succeeded);
        Assert.Empty(result.Files);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("AD3001", error.Code);
        Assert.Equal(path, error.Location!.File);
        Assert.Equal(3, error.Location.Line); // the model's name: line
        Assert.Matches(@"needs [\d,]+ B of RAM but the budget on board 'stm32f4' is 114,688 B", error.Message);
        Assert.Contains("over by", error.Message);
        Assert.Contains("parameters 101,632 B", error.Message);
        Assert.Contains("optimizer state 203,264 B", error.Message);
        Assert.Contains("sgd without momentum", error.Message);
        Assert.Contains("trainable: false on layer 'fc1'", error.Message);
    }

    [Fact]
    public void Mnist_mlp_with_adam_plans_and_runs_on_host()
    {
        var path = WithOptimizer("adam: { lr: 0.001 }");
        var result = ModelCompiler.Compile(new CompileRequest(path, Board("host"), KernelChoice.Portable));
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));

        var (training, plan) = ModelCompiler.Plan(path, new DiagnosticBag());
        var x = Enumerable.Range(0, 784).Select(i => (float)(i % 7) / 7).ToArray();
        var y = Enumerable.Range(0, 10).Select(i => i == 3 ? 1f : 0f).ToArray();
        var native = NativeRun.Run(training!, plan!, [x, x, x], [y, y, y], NativeRun.StrictFlags);
        Assert.Equal(3, native.Losses.Length);
        Assert.True(native.Losses[2] < native.Losses[0], $"losses {string.Join(", ", native.Losses)}");
    }

    [Theory]
    [InlineData("mnist_mlp")]
    [InlineData("adam_mlp")]
    [InlineData("residual_rmsprop")]
    [InlineData("hinge")]
    public void Buffers_alive_at_the_same_time_never_share_bytes(string model)
    {
        var (_, plan) = ModelCompiler.Plan(Model(model), new DiagnosticBag());
        foreach (var a in plan!.Buffers)
        {
            Assert.Equal(0, a.Offset % MemoryPlan.Alignment);
            Assert.True(a.Offset + a.Bytes <= plan.ArenaBytes);
            foreach (var b in plan.Buffers.Where(b => b.Id > a.Id && b.Overlaps(a)))
                Assert.True(a.Offset + a.Bytes <= b.Offset || b.Offset + b.Bytes <= a.Offset,
                    $"'{a.Label}' [{a.Offset},{a.Offset + a.Bytes}) and '{b.Label}' [{b.Offset},{b.Offset + b.Bytes}) overlap in steps {a.FirstStep}-{a.LastStep} / {b.FirstStep}-{b.LastStep}");
        }
        Assert.True(plan.LowerBoundBytes <= plan.ArenaBytes);
        Assert.Equal(plan.LowerBoundBytes, plan.PeakByCategory.Values.Sum());
    }

    [Fact]
    public void Updates_run_after_every_read_of_the_old_parameter()
    {
        var (training, plan) = ModelCompiler.Plan(Model("residual_rmsprop"), new DiagnosticBag());
        var position = new Dictionary<global::Autodiff.Engine.Graph.Node, int>();
        for (var s = 0; s < plan!.Steps.Count; s++)
            foreach (var n in plan.Steps[s].Nodes) position[n] = s;
        foreach (var update in training!.Graph.Nodes.Where(n => n.Updates.Count > 0))
            foreach (var reader in training.Graph.Nodes.Where(n => n != update && n.Inputs.Intersect(update.Updates).Any()))
                Assert.True(position[reader] <= position[update], $"{reader} runs after {update}");
    }

    private static string WithOptimizer(string optimizer)
    {
        var text = File.ReadAllText(Model("mnist_mlp")).Replace("optimizer: { sgd: { lr: 0.01 } }", $"optimizer: {{ {optimizer} }}");
        var path = Path.Combine(Directory.CreateTempSubdirectory("autodiff-plan-").FullName, "mnist_adam.yaml");
        File.WriteAllText(path, text);
        return path;
    }
}
