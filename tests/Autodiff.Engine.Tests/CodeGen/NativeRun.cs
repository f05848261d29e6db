using System.Diagnostics;
using System.Globalization;
using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Planning;

namespace Autodiff.Engine.Tests.CodeGen;

/// <summary>What the generated C printed: the loss of each step, the parameters afterwards, and a prediction.</summary>
public sealed record NativeResult(float[] Losses, Dictionary<string, float[]> Parameters, float[] Prediction, string GeneratedSource);

/// <summary>
/// Generates C for a training graph, writes a test driver that feeds fixed data for a number of
/// steps, compiles everything with the host gcc and runs it.
/// </summary>
public static class NativeRun
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static readonly string[] StrictFlags = ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-O1"];
    public static readonly string[] SanitizerFlags = [.. StrictFlags, "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"];

    public static NativeResult Run(TrainingGraph training, MemoryPlan plan, IReadOnlyList<float[]> inputBatches, IReadOnlyList<float[]> targetBatches, string[] flags)
    {
        var dir = Directory.CreateTempSubdirectory("autodiff-native-").FullName;
        try
        {
            var files = ModelEmitter.Emit(training, plan, "test.yaml");
            foreach (var f in files) File.WriteAllText(Path.Combine(dir, f.RelativePath), f.Content);
            File.WriteAllText(Path.Combine(dir, "main.c"), Driver(training, inputBatches, targetBatches));

            var kernels = Path.Combine(RepositoryRoot, "kernels", "portable");
            var families = plan.Steps.SelectMany(s => s.Nodes).Select(n => n.Op.KernelFamily).Distinct().OrderBy(f => f, StringComparer.Ordinal);
            var sources = new[] { "main.c", training.Name + ".c" }.Concat(families.Select(f => Path.Combine(kernels, f + ".c")));
            var exe = Path.Combine(dir, "model");
            Exec("gcc", [.. flags, "-I", kernels, "-I", dir, .. sources, "-o", exe, "-lm"], dir);
            var output = Exec(exe, [], dir);
            return Parse(output, files.Single(f => f.RelativePath.EndsWith(".c")).Content);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Driver(TrainingGraph training, IReadOnlyList<float[]> inputs, IReadOnlyList<float[]> targets)
    {
        var n = training.Name;
        var sb = new StringBuilder();
        sb.AppendLine("#include <stdio.h>");
        sb.AppendLine($"#include \"{n}.h\"");
        for (var i = 0; i < inputs.Count; i++)
        {
            sb.AppendLine($"static const float x{i}[] = {{ {Floats(inputs[i])} }};");
            sb.AppendLine($"static const float y{i}[] = {{ {Floats(targets[i])} }};");
        }
        sb.AppendLine($"static float out[{n}_BATCH * {n}_OUTPUT_SIZE];");
        sb.AppendLine("int main(void) {");
        sb.AppendLine($"    {n}_init();");
        for (var i = 0; i < inputs.Count; i++)
            sb.AppendLine($"    printf(\"loss %.9g\\n\", (double){n}_train_step(x{i}, y{i}));");
        sb.AppendLine($"    for (uint32_t p = 0; p < {n}_param_count; ++p) {{");
        sb.AppendLine($"        printf(\"param %s\", {n}_params[p].name);");
        sb.AppendLine($"        for (uint32_t k = 0; k < {n}_params[p].count; ++k) printf(\" %.9g\", (double){n}_params[p].data[k]);");
        sb.AppendLine("        printf(\"\\n\");");
        sb.AppendLine("    }");
        sb.AppendLine($"    {n}_predict(x0, out);");
        sb.AppendLine("    printf(\"predict\");");
        sb.AppendLine($"    for (uint32_t k = 0; k < {n}_BATCH * {n}_OUTPUT_SIZE; ++k) printf(\" %.9g\", (double)out[k]);");
        sb.AppendLine("    printf(\"\\n\");");
        sb.AppendLine("    return 0;");
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static string Floats(float[] v) => v.Length == 0 ? "0" : string.Join(", ", v.Select(CText.Float));

    private static NativeResult Parse(string output, string source)
    {
        var losses = new List<float>();
        var parameters = new Dictionary<string, float[]>();
        float[] prediction = [];
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts[0])
            {
                case "loss": losses.Add(ParseFloat(parts[1])); break;
                case "param": parameters[parts[1]] = parts.Skip(2).Select(ParseFloat).ToArray(); break;
                case "predict": prediction = parts.Skip(1).Select(ParseFloat).ToArray(); break;
            }
        }
        return new NativeResult(losses.ToArray(), parameters, prediction, source);
    }

    private static float ParseFloat(string s) => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static string Exec(string file, IEnumerable<string> args, string workingDirectory)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {p.ExitCode}:\n{stderr.Result}\n{stdout}");
        return stdout;
    }

    private static string FindRoot() =>
        typeof(NativeRun).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
}
