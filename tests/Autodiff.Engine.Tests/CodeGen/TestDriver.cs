using System.Globalization;
using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Planning;

namespace Autodiff.Engine.Tests.CodeGen;

/// <summary>What a test driver printed: the loss of each step, the parameters afterwards, the prediction
/// (empty unless asked for) and the lines it does not know, split into words.</summary>
public sealed record DriverOutput(float[] Losses, Dictionary<string, float[]> Parameters, float[] Prediction, IReadOnlyList<string[]> OtherLines);

/// <summary>
/// The C <c>main</c> with which the host and the firmware tests train a model on fixed data (one static input
/// and target batch per step), printing every loss and then every parameter; the folder it is built in;
/// and the reading of what it prints.
/// </summary>
public static class TestDriver
{
    /// <summary>
    /// The driver's source. <paramref name="benchMarkers"/>: every step after the first runs between calls of
    /// <c>ad_bench_start</c> and <c>ad_bench_stop</c>, where the instruction counter looks; <paramref name="predict"/>:
    /// a prediction on the first input batch is printed; <paramref name="epilogue"/>: statements run last.
    /// </summary>
    public static string Source(TrainingGraph training, IReadOnlyList<float[]> inputs, IReadOnlyList<float[]> targets,
        bool benchMarkers = false, bool predict = false, IReadOnlyList<string>? epilogue = null)
    {
        var n = training.Name;
        var sb = new StringBuilder();
        sb.AppendLine("#include <stdio.h>");
        sb.AppendLine($"#include \"{n}.h\"");
        if (benchMarkers)
        {
            sb.AppendLine("void ad_bench_start(void);");
            sb.AppendLine("void ad_bench_stop(void);");
            sb.AppendLine("__attribute__((noinline)) void ad_bench_start(void) { __asm__ volatile(\"\"); }");
            sb.AppendLine("__attribute__((noinline)) void ad_bench_stop(void) { __asm__ volatile(\"nop\"); }");
        }
        for (var i = 0; i < inputs.Count; i++)
        {
            sb.AppendLine($"static const float x{i}[] = {{ {Floats(inputs[i])} }};");
            sb.AppendLine($"static const float y{i}[] = {{ {Floats(targets[i])} }};");
        }
        sb.AppendLine($"static float losses[{inputs.Count}];");
        if (predict) sb.AppendLine($"static float out[{n}_BATCH * {n}_OUTPUT_SIZE];");
        sb.AppendLine("int main(void) {");
        sb.AppendLine($"    {n}_init();");
        for (var i = 0; i < inputs.Count; i++)
        {
            // The first step is left out of the count: it may take one-off paths (momentum buffers).
            if (benchMarkers && i > 0) sb.AppendLine("    ad_bench_start();");
            sb.AppendLine($"    losses[{i}] = {n}_train_step(x{i}, y{i});");
            if (benchMarkers && i > 0) sb.AppendLine("    ad_bench_stop();");
        }
        sb.AppendLine($"    for (int s = 0; s < {inputs.Count}; ++s) printf(\"loss %.9g\\n\", (double)losses[s]);");
        sb.AppendLine($"    for (uint32_t p = 0; p < {n}_param_count; ++p) {{");
        sb.AppendLine($"        printf(\"param %s\", {n}_params[p].name);");
        sb.AppendLine($"        for (uint32_t k = 0; k < {n}_params[p].count; ++k) printf(\" %.9g\", (double){n}_params[p].data[k]);");
        sb.AppendLine("        printf(\"\\n\");");
        sb.AppendLine("    }");
        if (predict)
        {
            sb.AppendLine($"    {n}_predict(x0, out);");
            sb.AppendLine("    printf(\"predict\");");
            sb.AppendLine($"    for (uint32_t k = 0; k < {n}_BATCH * {n}_OUTPUT_SIZE; ++k) printf(\" %.9g\", (double)out[k]);");
            sb.AppendLine("    printf(\"\\n\");");
        }
        foreach (var line in epilogue ?? []) sb.AppendLine("    " + line);
        sb.AppendLine("    return 0;");
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the generated C and <paramref name="driver"/> (as <c>main.c</c>) into a new temporary folder, hands
    /// the folder to <paramref name="build"/> and deletes it afterwards, whatever happens.
    /// </summary>
    public static T InTemporaryFolder<T>(string prefix, TrainingGraph training, MemoryPlan plan, string driver, Func<string, T> build)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        try
        {
            foreach (var f in ModelEmitter.Emit(training, plan, "test.yaml")) File.WriteAllText(Path.Combine(dir, f.RelativePath), f.Content);
            File.WriteAllText(Path.Combine(dir, "main.c"), driver);
            return build(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static DriverOutput Parse(string output)
    {
        var losses = new List<float>();
        var parameters = new Dictionary<string, float[]>();
        float[] prediction = [];
        var other = new List<string[]>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts[0])
            {
                case "loss": losses.Add(ParseFloat(parts[1])); break;
                case "param": parameters[parts[1]] = parts.Skip(2).Select(ParseFloat).ToArray(); break;
                case "predict": prediction = parts.Skip(1).Select(ParseFloat).ToArray(); break;
                default: other.Add(parts); break;
            }
        }
        return new DriverOutput(losses.ToArray(), parameters, prediction, other);
    }

    private static string Floats(float[] v) => v.Length == 0 ? "0" : string.Join(", ", v.Select(CText.Float));

    private static float ParseFloat(string s) => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
