using System.Globalization;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Planning;
using Autodiff.Engine.Tests.CodeGen;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>What a firmware printed, and the instructions counted between the bench markers (null without the counter).</summary>
public sealed record FirmwareRun(float[] Losses, Dictionary<string, float[]> Parameters, long? Instructions, int Windows, KernelSelection Kernels)
{
    /// <summary>What NAME_predict gave for the first input batch, when asked for.</summary>
    public float[] Prediction { get; init; } = [];

    /// <summary>Lines the driver printed that it does not know itself (from an epilogue), split into words.</summary>
    public IReadOnlyList<string[]> OtherLines { get; init; } = [];
}

/// <summary>
/// Builds a test firmware for a QEMU board (stm32f4) with arm-none-eabi-gcc from the generated C, a
/// driver that trains on fixed data, the kernels the engine selects and the board's startup code,
/// then runs it in qemu-system-arm with semihosting. CMSIS is found as the SDK finds it
/// (<c>CMSIS_DSP_ROOT</c>, <c>CMSIS_NN_ROOT</c>, <c>CMSIS_CORE_ROOT</c>).
/// </summary>
public static class ArmFirmware
{
    public static string KernelsDirectory => Path.Combine(NativeRun.RepositoryRoot, "kernels");
    public static string BoardsDirectory => Path.Combine(NativeRun.RepositoryRoot, "sdk", "Autodiff.Sdk", "boards");
    public static string CounterScript => Path.Combine(NativeRun.RepositoryRoot, "bench", "qemu-insn-count", "count.sh");

    public static readonly string[] StrictFlags = ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-O2"];

    /// <summary>CMSIS from the environment, as the engine resolves it.</summary>
    public static CmsisRoots Cmsis => CmsisRoots.Find(null, null, null);

    /// <summary>Null when everything needed is here, else why a test needing it is skipped.</summary>
    public static string? MissingPrerequisite(bool needsCounter = false)
    {
        var cmsis = Cmsis;
        if (!cmsis.HasDsp)
            return $"CMSIS not found; set {CmsisRoots.DspVariable} (CMSIS-DSP checkout) and {CmsisRoots.NnVariable} (CMSIS-NN checkout), " +
                   $"and {CmsisRoots.CoreVariable} (CMSIS_6/CMSIS/Core/Include) unless a CMSIS_6 checkout sits beside CMSIS-DSP" +
                   (cmsis.Dsp is not null ? $" (found DSP at {cmsis.Dsp} but no cmsis_compiler.h)" : "");
        foreach (var tool in new[] { "arm-none-eabi-gcc", "qemu-system-arm" }.Concat(needsCounter ? ["arm-none-eabi-nm", "gcc"] : []))
            if (!OnPath(tool)) return $"{tool} not found on PATH (Debian/Ubuntu: gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm)";
        return null;
    }

    public static BoardSpec Board(string name)
    {
        var bag = new DiagnosticBag();
        var board = BoardCatalog.Load(BoardsDirectory, name, bag);
        if (board is null) throw new InvalidOperationException(string.Join("\n", bag.Items));
        return board;
    }

    /// <summary>
    /// Builds and runs one firmware: <paramref name="inputs"/>/<paramref name="targets"/> hold one batch per
    /// training step; with <paramref name="count"/>, every step after the first runs between the bench
    /// markers and the counter script measures it.
    /// </summary>
    public static FirmwareRun Run(TrainingGraph training, MemoryPlan plan, BoardSpec board, KernelChoice choice,
        IReadOnlyList<float[]> inputs, IReadOnlyList<float[]> targets, bool count = false, string optimization = "-O2", bool predict = false,
        IReadOnlyList<string>? epilogue = null)
    {
        var bag = new DiagnosticBag();
        var kernels = KernelSelection.Select(plan, board, choice, bag, null, choice == KernelChoice.Portable ? CmsisRoots.None : Cmsis, KernelsDirectory);
        if (bag.HasErrors) throw new InvalidOperationException(string.Join("\n", bag.Items));
        // CMSIS-NN's kernels get their working memory planned in the arena, as the compiler does.
        if (plan.Steps.Any(s => s.Node.Op is global::Autodiff.Engine.Ops.IScratchUser))
            plan = MemoryPlanner.Plan(training, kernels.WithScratch(PlanOptions.Default, board));

        var driver = TestDriver.Source(training, inputs, targets, benchMarkers: true, predict: predict, epilogue: epilogue);
        return TestDriver.InTemporaryFolder("autodiff-arm-", training, plan, driver, dir =>
        {
            var arch = board.ArchitectureFlags.Concat(board.CFlags).ToArray();
            var includes = new List<string> { "-I", dir, "-I", Path.Combine(KernelsDirectory, "portable") };
            foreach (var inc in kernels.IncludeDirectories) includes.AddRange(["-isystem", inc]);
            var defines = kernels.Defines.Select(d => "-D" + d).ToArray();
            var flags = StrictFlags.Select(f => f == "-O2" ? optimization : f).ToArray();

            var objects = new List<string>();
            var index = 0;
            void Compile(string source, IEnumerable<string> extra)
            {
                var obj = Path.Combine(dir, $"o{index++}_{Path.GetFileNameWithoutExtension(source)}.o");
                NativeRun.Exec("arm-none-eabi-gcc", [.. arch, .. extra, .. defines, .. includes, "-c", source, "-o", obj], dir);
                objects.Add(obj);
            }
            Compile(Path.Combine(dir, "main.c"), flags);
            Compile(Path.Combine(dir, training.Name + ".c"), flags);
            foreach (var k in kernels.Sources)
            {
                var cmsisSource = Path.IsPathRooted(k);
                // CMSIS's own sources are not ours to hold to -Wpedantic -Werror.
                Compile(cmsisSource ? k : Path.Combine(KernelsDirectory, k), cmsisSource ? ["-std=c99", optimization] : flags);
            }
            foreach (var s in board.Sources) Compile(s, ["-std=c99", optimization]);

            var elf = Path.Combine(dir, "test.elf");
            NativeRun.Exec("arm-none-eabi-gcc",
                [.. board.ArchitectureFlags, .. board.LdFlags, optimization, "-L", Path.Combine(BoardsDirectory, "common"), "-T", board.LinkerScript!,
                 .. objects, "-lm", "-o", elf], dir);

            var output = count
                ? NativeRun.Exec("bash", [CounterScript, elf, board.QemuMachine!, "600"], dir)
                // QEMU makes its stdout non-blocking, so output a pipe does not take at once is lost
                // (the parameter dump is hundreds of KB); a file takes everything.
                : NativeRun.Exec("bash", ["-c", "timeout -k 5 600 qemu-system-arm -M \"$1\" -nographic -semihosting-config enable=on,target=native " +
                    "-kernel \"$2\" </dev/null >\"$3\"; rc=$?; cat \"$3\"; exit $rc", "qemu", board.QemuMachine!, elf, Path.Combine(dir, "qemu.out")], dir);
            return Parse(output, kernels);
        });
    }

    private static FirmwareRun Parse(string output, KernelSelection kernels)
    {
        var printed = TestDriver.Parse(output);
        long? instructions = null;
        var windows = 0;
        foreach (var kv in printed.OtherLines.Where(l => l[0] == "insn-count:").SelectMany(l => l.Skip(1)).Select(p => p.Split('=')))
        {
            if (kv[0] == "instructions") instructions = long.Parse(kv[1], CultureInfo.InvariantCulture);
            if (kv[0] == "windows") windows = int.Parse(kv[1], CultureInfo.InvariantCulture);
        }
        return new FirmwareRun(printed.Losses, printed.Parameters, instructions, windows, kernels) { Prediction = printed.Prediction, OtherLines = printed.OtherLines };
    }

    /// <summary>Runs a kernel test script (bash) of the repository, returning its exit code and what it printed.</summary>
    internal static (int ExitCode, string Stdout, string Stderr) RunScript(string relativePath, params string[] arguments)
    {
        var script = Path.Combine(NativeRun.RepositoryRoot, relativePath);
        var start = new System.Diagnostics.ProcessStartInfo("bash", [script, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    internal static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, tool)));
}
