// Prints the engine's figures (not a test: nothing here passes or fails on time).
//   dotnet run -c Release --project bench/Autodiff.Bench [-- --board stm32f4]
// 1. how long loading and differentiating takes, for the seed's MNIST MLP and a 200-layer MLP;
// 2. for every sample and test model: arena bytes, the lower bound, the bytes of a plan that
//    stores every gradient, the bytes of a plan that never reuses memory, and generation time;
// 3. with --deep, the time of each compiler stage for models of 1,024 to 4,096 layers (the most a model may have).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Autodiff.Engine;
using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Lowering;
using Autodiff.Engine.Model;
using Autodiff.Engine.Planning;

var root = FindRoot();
var boardName = args.SkipWhile(a => a != "--board").Skip(1).FirstOrDefault() ?? "stm32f4";
var board = BoardCatalog.Load(Path.Combine(root, "sdk", "Autodiff.Sdk", "boards"), boardName, new DiagnosticBag())
            ?? throw new InvalidOperationException($"board {boardName} not found");

Console.WriteLine("== Engine: load + differentiate (median of 15 runs after 3 warm-ups) ==");
var mnist = Path.Combine(root, "tests", "Autodiff.Engine.Tests", "Models", "good", "mnist_mlp.yaml");
var deep = Path.Combine(Path.GetTempPath(), "autodiff-bench-mlp200.yaml");
File.WriteAllText(deep, DeepMlp(200));
foreach (var (label, path) in new[] { ("mnist_mlp (784-32-10)", mnist), ("mlp200 (200 linear layers)", deep) })
{
    var load = Median(() => ModelLoader.Load(path, new DiagnosticBag()));
    var spec = ModelLoader.Load(path, new DiagnosticBag())!;
    var lower = Median(() => ModelLowering.Lower(spec, new DiagnosticBag()));
    var training = ModelLowering.Lower(spec, new DiagnosticBag())!;
    var plan = Median(() => MemoryPlanner.Plan(training, PlanOptions.Default));
    Console.WriteLine($"{label,-28} load {Ms(load)}  lower+differentiate {Ms(lower)}  plan {Ms(plan)}  nodes {training.Graph.Nodes.Count}");
}

Console.WriteLine();
Console.WriteLine($"== Memory plans on {board.Name} (bytes) ==");
Console.WriteLine($"{"model",-30}{"arena",10}{"lower bd",10}{"ratio",7}{"all grads",11}{"no reuse",11}{"generate ms",13}");
var models = Directory.EnumerateFiles(Path.Combine(root, "samples"), "*.yaml", SearchOption.AllDirectories)
    .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
    .Concat(Directory.EnumerateFiles(Path.Combine(root, "tests", "Autodiff.Engine.Tests", "Models", "good"), "*.yaml"))
    .Order(StringComparer.Ordinal)
    .Select(p => WithGeneratedWeights(p, root));
foreach (var (path, label) in models)
{
    var diagnostics = new DiagnosticBag();
    Autodiff.Engine.Autodiff.TrainingGraph? training;
    MemoryPlan? plan;
    try { (training, plan) = ModelCompiler.Plan(path, diagnostics); }
    catch (Exception e) { Console.WriteLine($"{label,-30} failed: {e.Message}"); continue; }
    if (training is null || plan is null)
    {
        Console.WriteLine($"{label,-30} skipped: {diagnostics.Items.FirstOrDefault()?.Message}");
        continue;
    }
    var allGradients = MemoryPlanner.Plan(training, new PlanOptions(FuseUpdates: false));
    var noReuse = MemoryPlanner.Plan(training, new PlanOptions(FuseUpdates: false, InPlace: false)).NoReuseBytes;
    var generate = Median(() => ModelCompiler.Compile(new CompileRequest(path, board, KernelChoice.Portable, RamBudget: long.MaxValue)));
    Console.WriteLine($"{label,-30}{plan.ArenaBytes,10}{plan.LowerBoundBytes,10}" +
                      $"{(double)plan.ArenaBytes / Math.Max(plan.LowerBoundBytes, 1),7:0.000}{allGradients.ArenaBytes,11}{noReuse,11}{Ms(generate),13}");
}

// 3. With --deep: time of each compiler stage for very deep models, to see what grows faster than
//    the model (one run each; a stage that quadruples when the model doubles is quadratic).
if (args.Contains("--deep"))
{
    Console.WriteLine();
    Console.WriteLine("== Deep models: milliseconds per stage (linear 8 + relu pairs) ==");
    Console.WriteLine($"{"layers",8}{"load",8}{"lower",8}{"plan",8}{"emit",8}{"report",8}");
    foreach (var layers in new[] { 1024, 2048, 4096 })  // 4096: the most layers a model may have (AD1006)
    {
        var path = Path.Combine(Path.GetTempPath(), $"autodiff-bench-deep{layers}.yaml");
        File.WriteAllText(path, DeepNarrow(layers));
        var sw = Stopwatch.StartNew();
        long Lap() { var ms = sw.ElapsedMilliseconds; sw.Restart(); return ms; }
        var spec = ModelLoader.Load(path, new DiagnosticBag())!;
        var load = Lap();
        var training = ModelLowering.Lower(spec, new DiagnosticBag())!;
        var lower = Lap();
        var plan = MemoryPlanner.Plan(training, PlanOptions.Default);
        var planMs = Lap();
        Autodiff.Engine.CodeGen.ModelEmitter.Emit(training, plan, path);
        var emit = Lap();
        var kernels = Autodiff.Engine.CodeGen.KernelSelection.Select(plan, board, KernelChoice.Portable, new DiagnosticBag(), null);
        Lap();
        Autodiff.Engine.Report.ReportWriter.Files(training, plan, board, Budget.For(board, long.MaxValue, null), kernels, path);
        Console.WriteLine($"{layers,8}{load,8}{lower,8}{planMs,8}{emit,8}{Lap(),8}");
    }
}

static string DeepNarrow(int layers)
{
    var sb = new StringBuilder("autodiff: 1\nname: deep\ninputs: { x: [8], y: [8] }\nlayers:\n");
    for (var i = 0; i < layers; i++) sb.Append(i % 2 == 0 ? "  - linear: { units: 8 }\n" : "  - relu\n");
    sb.Append("loss: { mse: { target: y } }\noptimizer: { sgd: { lr: 0.01 } }\n");
    return sb.ToString();
}

// The frozen-weights test model reads .npy files that the tests generate; write the same kind here.
static (string Path, string Label) WithGeneratedWeights(string path, string root)
{
    var label = System.IO.Path.GetRelativePath(root, path).Replace(".yaml", "").Replace("tests/Autodiff.Engine.Tests/Models/", "tests/").Replace("/models/", "/");
    if (System.IO.Path.GetFileName(path) != "frozen_weights.yaml") return (path, label);
    var dir = Directory.CreateTempSubdirectory("autodiff-bench-").FullName;
    var copy = System.IO.Path.Combine(dir, "frozen_weights.yaml");
    File.Copy(path, copy);
    var weights = Directory.CreateDirectory(System.IO.Path.Combine(dir, "frozen_weights")).FullName;
    WriteNpy(System.IO.Path.Combine(weights, "features.weight.npy"), [3, 4], Enumerable.Range(0, 12).Select(i => i * 0.1f).ToArray());
    WriteNpy(System.IO.Path.Combine(weights, "features.bias.npy"), [3], [0.5f, -0.5f, 0.25f]);
    WriteNpy(System.IO.Path.Combine(weights, "adapter.npy"), [3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    return (copy, label);
}

// A version-1 .npy file of little-endian float32 in C order.
static void WriteNpy(string path, int[] shape, float[] values)
{
    var dims = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
    var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}";
    header += new string(' ', (64 - (10 + header.Length + 1) % 64) % 64) + "\n";
    using var w = new BinaryWriter(File.Create(path));
    w.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
    w.Write((ushort)header.Length);
    w.Write(Encoding.ASCII.GetBytes(header));
    foreach (var v in values) w.Write(v);
}

static TimeSpan Median(Func<object?> action)
{
    for (var i = 0; i < 3; i++) action();
    var times = new List<TimeSpan>();
    for (var i = 0; i < 15; i++)
    {
        var sw = Stopwatch.StartNew();
        action();
        times.Add(sw.Elapsed);
    }
    times.Sort();
    return times[times.Count / 2];
}

static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

static string DeepMlp(int layers)
{
    var sb = new StringBuilder("autodiff: 1\nname: mlp200\ninputs:\n  x: [64]\n  y: [10]\nbatch: 1\nlayers:\n");
    for (var i = 0; i < layers - 1; i++) sb.Append("  - linear: { units: 64 }\n  - relu\n");
    sb.Append("  - linear: { units: 10 }\nloss: { cross_entropy: { target: y } }\noptimizer: { sgd: { lr: 0.01 } }\n");
    return sb.ToString();
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Autodiff.sln"))) return d.FullName;
    throw new InvalidOperationException("run the benchmark from inside the repository");
}
