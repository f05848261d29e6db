using Autodiff.Engine.CodeGen;
using System.Diagnostics;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Planning;

namespace Autodiff.Engine.Tests.CodeGen;

/// <summary>What the generated C printed: the loss of each step, the parameters afterwards, and a prediction.</summary>
public sealed record NativeResult(float[] Losses, Dictionary<string, float[]> Parameters, float[] Prediction, string GeneratedSource)
{
    /// <summary>Lines the driver printed that it does not know itself (from an epilogue), split into words.</summary>
    public IReadOnlyList<string[]> OtherLines { get; init; } = [];
}

/// <summary>
/// Generates C for a training graph, writes a test driver that feeds fixed data for a number of
/// steps, compiles everything with the host gcc and runs it.
/// </summary>
public static class NativeRun
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static readonly string[] StrictFlags = ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-O1"];
    public static readonly string[] SanitizerFlags = [.. StrictFlags, "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"];

    /// <param name="epilogue">Statements the driver runs last; what they print is in <see cref="NativeResult.OtherLines"/>.</param>
    public static NativeResult Run(TrainingGraph training, MemoryPlan plan, IReadOnlyList<float[]> inputBatches, IReadOnlyList<float[]> targetBatches, string[] flags,
        IReadOnlyList<string>? epilogue = null)
    {
        var driver = TestDriver.Source(training, inputBatches, targetBatches, predict: true, epilogue: epilogue);
        return TestDriver.InTemporaryFolder("autodiff-native-", training, plan, driver, dir =>
        {
            var kernels = Path.Combine(RepositoryRoot, "kernels", "portable");
            var model = training.Name + ".c";
            var sources = new[] { "main.c", model }.Concat(KernelSelection.FamiliesOf(plan).Select(f => Path.Combine(kernels, f + ".c")));
            var exe = Path.Combine(dir, "model");
            Exec("gcc", [.. flags, "-I", kernels, "-I", dir, .. sources, "-o", exe, "-lm"], dir);
            var output = TestDriver.Parse(Exec(exe, [], dir));
            return new NativeResult(output.Losses, output.Parameters, output.Prediction, File.ReadAllText(Path.Combine(dir, model))) { OtherLines = output.OtherLines };
        });
    }

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
