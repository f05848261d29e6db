using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Optimizers;
using Xunit;

namespace Autodiff.Engine.Tests.Optimizers;

/// <summary>
/// The update loops the optimizer ops emit (with the per-step scalars of optimizers.c), compiled
/// with gcc, against the float32 interpreter: each step's gradients come from the interpreter, the
/// C program applies the emitted updates and prints the parameters, state and L2 penalty, which
/// must agree with the interpreter's.
/// </summary>
public class OptimizerKernelTests
{
    private const int Steps = 5;

    public static TheoryData<string> Cases =>
        ["sgd", "sgd_momentum", "sgd_nesterov_decay_l2", "sgd_dampening_step", "adam", "adam_decay_cosine_l2",
         "rmsprop_exponential", "rmsprop_momentum_l2"];

    private static (OptimizerSettings Settings, double L2) Case(string name) => name switch
    {
        "sgd" => (new Sgd(0.1), 0),
        "sgd_momentum" => (new Sgd(0.05, 0.9), 0),
        "sgd_nesterov_decay_l2" => (new Sgd(0.05, 0.8, Nesterov: true, WeightDecay: 0.01), 0.003),
        "sgd_dampening_step" => (new Sgd(0.1, 0.7, 0.3) { Schedule = new StepLr(2, 0.5) }, 0),
        "adam" => (new Adam(0.01), 0),
        "adam_decay_cosine_l2" => (new Adam(0.02, 0.8, 0.99, 1e-6, 0.05) { Schedule = new CosineLr(3, 0.001) }, 0.01),
        "rmsprop_exponential" => (new RmsProp(0.01) { Schedule = new ExponentialLr(0.9) }, 0),
        "rmsprop_momentum_l2" => (new RmsProp(0.005, 0.9, 1e-7, 0.5, 0.02), 0.004),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_match_the_float_interpreter(string name)
    {
        Assert.True(Gcc.Available, "these tests compile the kernels with gcc, which is not on PATH");
        var (settings, l2) = Case(name);

        var g = new GraphBuilder(batch: 3);
        var x = g.Input("x", 5);
        var t = g.Target("t", 4);
        var w = g.Param("fc.weight", Values(20, 1), 4, 5);
        var b = g.Param("fc.bias", Values(4, 2), 4);
        var step = OptimizerBuilder.AddTrainingStep(g, g.MseLoss(g.Sigmoid(g.Linear(x, w, b)), t), settings, l2);
        var persistent = g.Graph.Tensors.Where(p => p.IsPersistent).ToArray();

        var run = new Interpreter<float>(g.Graph);
        var feeds = new Dictionary<Tensor, float[]> { [x] = Values(15, 3), [t] = Values(12, 4) };
        var gradients = new List<Dictionary<Tensor, float[]>>();
        var penalties = new List<float>();
        var penalty = l2 != 0 ? g.Graph.Nodes.Single(n => n.Op is L2PenaltyOp).Out : null;
        for (var k = 0; k < Steps; k++)
        {
            var values = run.ForwardBackward(feeds);
            gradients.Add(step.Gradients.ToDictionary(p => p.Key, p => values[p.Value]));
            if (penalty is not null) penalties.Add(values[penalty][0]);
            run.TrainStep(step.Loss, feeds);
        }

        var output = Gcc.Run(Program(g.Graph, step.Updates, gradients, penalty));
        foreach (var p in persistent)
            AssertClose(run.Values(p), output[p.Name], $"{name}: {p.Name}");
        if (penalty is not null)
            AssertClose([.. penalties], output["penalty"], $"{name}: l2 penalty");
    }

    [Fact]
    public void Emitted_updates_are_specialised_to_the_settings()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", 2);
        var w = g.Param("w", 3, 2);
        var grads = g.Backward(g.MseLoss(g.Linear(x, w), g.Target("y", 3)), [w]);
        var update = OptimizerBuilder.AddUpdates(g, grads, new Sgd(0.5, 0.9, Nesterov: true) { Schedule = new StepLr(10, 0.5) }, l2: 0.25).Single();
        var writer = new TextWriter(update);
        ((IElementUpdate)update.Op).EmitStepConstants(writer);
        ((IElementUpdate)update.Op).EmitElement(writer, "g", "k");
        const string local = "step_";
        Assert.Equal(
            $"const float {local}lr = ad_lr_schedule_f32(AD_LR_STEP, 0.5, 0.5, 10u, 0.0, steps_done);\n" +
            $"const float {local}momentum = steps_done == 0u ? 0.0f : 0.9f;\n" +
            "{\nfloat d = g;\nd = AD_FMA(0.5f, w[k], d);\n" +
            $"const float b = AD_FMA({local}momentum, w_momentum[k], d);\nw_momentum[k] = b;\nd = AD_FMA(0.9f, b, d);\n" +
            $"w[k] = AD_FMA(-{local}lr, d, w[k]);\n}}\n",
            writer.Text);
        Assert.Equal(["w.momentum"], g.Graph.OptimizerState.Select(s => s.Name));
        Assert.Null(((IElementUpdate)update.Op).PlainDescentRate(writer));

        // Plain SGD: no test or term for an option that is off, and fused kernels may apply it directly.
        var h = new GraphBuilder();
        var v = h.Param("v", 3, 2);
        var plain = OptimizerBuilder.AddUpdates(h, h.Backward(h.MseLoss(h.Linear(h.Input("x", 2), v), h.Target("y", 3)), [v]), new Sgd(0.5)).Single();
        var plainWriter = new TextWriter(plain);
        ((IElementUpdate)plain.Op).EmitStepConstants(plainWriter);
        ((IElementUpdate)plain.Op).EmitElement(plainWriter, "g", "k");
        Assert.Equal("{\nfloat d = g;\nv[k] = AD_FMA(-0.5f, d, v[k]);\n}\n", plainWriter.Text);
        Assert.Equal("0.5f", ((IElementUpdate)plain.Op).PlainDescentRate(plainWriter));
    }

    [Fact]
    public void Only_the_state_an_optimizer_needs_is_created()
    {
        int StateTensors(OptimizerSettings s)
        {
            var g = new GraphBuilder();
            var w = g.Param("w", 2, 2);
            var grads = g.Backward(g.MseLoss(g.Linear(g.Input("x", 2), w), g.Target("y", 2)), [w]);
            OptimizerBuilder.AddUpdates(g, grads, s);
            return g.Graph.OptimizerState.Count();
        }
        Assert.Equal(0, StateTensors(new Sgd(0.1)));
        Assert.Equal(1, StateTensors(new Sgd(0.1, 0.9)));
        Assert.Equal(2, StateTensors(new Adam()));
        Assert.Equal(1, StateTensors(new RmsProp()));
        Assert.Equal(2, StateTensors(new RmsProp(Momentum: 0.9)));
    }

    [Fact]
    public void Invalid_settings_are_reported()
    {
        Assert.Contains("nesterov needs a positive momentum and zero dampening", new Sgd(0.1, Nesterov: true).Validate());
        Assert.Contains("beta2 must be in [0, 1)", new Adam(Beta2: 1).Validate());
        Assert.Contains("step_size must be at least 1", (new Sgd(0.1) { Schedule = new StepLr(0) }).Validate());
        Assert.Empty(new RmsProp(Momentum: 0.9) { Schedule = new CosineLr(100) }.Validate());
        Assert.Throws<ArgumentException>(() => OptimizerBuilder.CreateUpdateOp(new Adam(-1)));
    }

    [Fact]
    public void The_l2_penalty_is_not_differentiated_twice()
    {
        var g = new GraphBuilder();
        var w = g.Param("w", 2, 2);
        var loss = g.MseLoss(g.Linear(g.Input("x", 2), w), g.Target("y", 2));
        var penalty = g.L2Penalty([w], 0.1);
        var e = Assert.Throws<InvalidOperationException>(() => g.Backward(penalty, [w]));
        Assert.Contains("differentiate the data loss", e.Message);
        // The total of the helper is only reported, never differentiated; its data loss is.
        var total = g.WithL2Penalty(loss, [w], 0.1);
        Assert.NotEqual(loss, total);
        Assert.Single(g.Backward(loss, [w]));
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: interpreter {expected[i]:R}, C {actual[i]:R}");
    }

    private static float[] Values(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    private static string CName(Tensor t) => new(t.Name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_').ToArray());

    private static string Floats(IEnumerable<float> v) => string.Join(", ", v.Select(f => f.ToString("R", CultureInfo.InvariantCulture) + "f"));

    /// <summary>A C program replaying the updates with the interpreter's gradients, then printing every persistent tensor.</summary>
    private static string Program(ComputeGraph graph, IReadOnlyList<Node> updates, List<Dictionary<Tensor, float[]>> gradients, Tensor? penalty)
    {
        var sb = new StringBuilder("#include <stdio.h>\n#include \"autodiff_kernels.h\"\n");
        foreach (var p in graph.Tensors.Where(t => t.IsPersistent))
            sb.AppendLine($"static float {CName(p)}[{p.Shape.Count}] = {{ {(p.InitialValue is { } v ? Floats(v) : "0")} }};");
        for (var k = 0; k < gradients.Count; k++)
            foreach (var (p, grad) in gradients[k])
                sb.AppendLine($"static const float g{k}_{CName(p)}[{grad.Length}] = {{ {Floats(grad)} }};");
        sb.AppendLine("static void print(const char *name, const float *v, int n) { int i; printf(\"%s\", name); for (i = 0; i < n; ++i) printf(\" %.9g\", (double)v[i]); printf(\"\\n\"); }");
        sb.AppendLine("int main(void) {\n  uint32_t steps_done = 0;");
        if (penalty is not null) sb.AppendLine($"  float penalty[1], penalties[{gradients.Count}];");
        for (var k = 0; k < gradients.Count; k++)
        {
            if (penalty is not null)
            {
                var writer = new TextWriter(penalty.Producer!, outName: "penalty");
                penalty.Producer!.Op.Emit(writer);
                sb.Append(writer.Text).AppendLine($"  penalties[{k}] = penalty[0];");
            }
            // One block per training step, as in generated code: per-step constants first, then the updates.
            sb.AppendLine("  {");
            // Every update here has the same settings, so they share one set of per-step constants.
            Assert.Single(updates.Select(u => ((IElementUpdate)u.Op).StepConstantsKey).Distinct());
            var constants = new TextWriter(updates[0]);
            ((IElementUpdate)updates[0].Op).EmitStepConstants(constants);
            sb.Append(constants.Text);
            foreach (var u in updates)
            {
                var writer = new TextWriter(u, gradientName: $"g{k}_{CName(u.Inputs[0])}");
                u.Op.Emit(writer);
                sb.Append(writer.Text);
            }
            sb.AppendLine("  }");
            sb.AppendLine("  ++steps_done;");
        }
        foreach (var p in graph.Tensors.Where(t => t.IsPersistent))
            sb.AppendLine($"  print(\"{p.Name}\", {CName(p)}, {p.Shape.Count});");
        if (penalty is not null) sb.AppendLine($"  print(\"penalty\", penalties, {gradients.Count});");
        sb.AppendLine("  return 0;\n}");
        return sb.ToString();
    }

    /// <summary>Writes kernel calls against the test program's static arrays.</summary>
    private sealed class TextWriter(Node node, string? gradientName = null, string? outName = null) : IKernelCallWriter
    {
        private readonly StringBuilder _text = new();
        public string Text => _text.ToString();
        public Node Node { get; } = node;
        public string In(int index) => index == 1 && gradientName is not null ? gradientName : CName(Node.Inputs[index]);
        public string Out => outName ?? throw new InvalidOperationException("no output");
        public string Ptr(Tensor tensor) => CName(tensor);
        public string StepCounter => "steps_done";
        public string StepLocal(string what) => "step_" + what;

        public void Call(string function, params object[] args) => _text.Append(Expression(function, args)).Append(";\n");

        public string Expression(string function, params object[] args) => $"{function}({string.Join(", ", args.Select(Format))})";

        public void Line(string code) => _text.Append(code).Append('\n');

        private static string Format(object arg) => arg switch
        {
            string s => s,
            int i => i.ToString(CultureInfo.InvariantCulture) + "u",
            double d => ((float)d).ToString("R", CultureInfo.InvariantCulture) + "f",
            _ => throw new ArgumentException(arg.GetType().Name),
        };
    }

    private static class Gcc
    {
        public static bool Available { get; } = Which("gcc");

        private static bool Which(string tool) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));

        // Searched from the test binaries and from this source file, so that builds with a separate
        // artifacts path still find the checkout.
        private static string KernelDirectory([CallerFilePath] string sourceFile = "")
        {
            foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
                for (var d = new DirectoryInfo(start); d is not null && start != ""; d = d.Parent)
                    if (File.Exists(Path.Combine(d.FullName, "kernels", "portable", "optimizers.c")))
                        return Path.Combine(d.FullName, "kernels", "portable");
            throw new InvalidOperationException("kernels/portable not found above the test binaries or the test sources");
        }

        /// <summary>Compiles and runs a program against optimizers.c; returns its printed arrays by name.</summary>
        public static Dictionary<string, float[]> Run(string program)
        {
            var dir = Directory.CreateTempSubdirectory("autodiff-optim-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(dir, "main.c"), program);
                var kernels = KernelDirectory();
                Exec("gcc", ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-O2", "-I", kernels, "main.c",
                    Path.Combine(kernels, "optimizers.c"), "-o", "main", "-lm"], dir);
                return Exec(Path.Combine(dir, "main"), [], dir)
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .ToDictionary(p => p[0], p => p.Skip(1).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray());
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private static string Exec(string file, string[] args, string dir)
        {
            var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{file} exited with {p.ExitCode}:\n{stderr.Result}");
            return stdout;
        }
    }
}
