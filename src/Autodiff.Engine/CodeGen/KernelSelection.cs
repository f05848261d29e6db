using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Planning;

namespace Autodiff.Engine.CodeGen;

/// <summary>Which implementation each kernel family gets, and the C sources that implies.</summary>
/// <param name="Families">Kernel family → "portable", "armv7em" or "cmsis", in name order.</param>
/// <param name="Sources">
/// Kernel sources to compile: the family files relative to the SDK's kernels folder
/// (<c>portable/linear.c</c>, <c>armv7em/linear.c</c>), then the CMSIS sources those need, as absolute paths.
/// </param>
public sealed record KernelSelection(IReadOnlyDictionary<string, string> Families, IReadOnlyList<string> Sources)
{
    public const string Portable = "portable";
    public const string Cmsis = "cmsis";
    public const string Armv7em = "armv7em";

    /// <summary>The family of the int8 layers (kernels/*/int8.c), which auto puts on CMSIS-NN on DSP cores too.</summary>
    public const string Int8Family = "int8";

    /// <summary>Kernels and CMSIS diagnostics.</summary>
    public const string CmsisNotFoundCode = "AD5001";
    public const string BoardWithoutDspCode = "AD5002";
    public const string HowToEnableCmsisCode = "AD5003";
    public const string CmsisFileMissingCode = "AD5004";
    public const string KernelsFolderCode = "AD5005";
    public const string BoardWithoutArmv7emCode = "AD5006";

    /// <summary>Include folders the CMSIS sources and the cmsis family files need (absolute), in a fixed order.</summary>
    public IReadOnlyList<string> IncludeDirectories { get; init; } = [];

    /// <summary>Preprocessor definitions (<c>NAME</c> or <c>NAME=VALUE</c>) the CMSIS sources need; the same for every C file.</summary>
    public IReadOnlyList<string> Defines { get; init; } = [];

    /// <summary>For each family on CMSIS: its kernel functions and what each runs (from its <c>.cmsis</c> file's <c>calls:</c> lines).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>> CmsisCalls { get; init; } =
        new Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>();

    /// <summary>The implementation chosen for <paramref name="family"/>, or null when the plan does not use it.</summary>
    public string? Of(string family) => Families.TryGetValue(family, out var choice) ? choice : null;

    /// <summary>
    /// <paramref name="options"/> with the working memory each node's chosen kernel needs on
    /// <paramref name="board"/> (<see cref="Ops.IScratchUser"/>), for planning it in the arena.
    /// </summary>
    public PlanOptions WithScratch(PlanOptions options, BoardSpec board) => options with
    {
        ScratchBytes = node => node.Op is Ops.IScratchUser user && node.Op.KernelFamily is { } family
            ? user.ScratchBytes(node, Of(family) ?? Portable, board) : 0,
    };

    public static IReadOnlyList<string> FamiliesOf(MemoryPlan plan) =>
        plan.Steps.SelectMany(s => s.Nodes).Select(n => n.Op.KernelFamily).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The kernels folder of the installed SDK or of the repository: the first <c>kernels/</c> holding
    /// <c>portable/autodiff_kernels.h</c> in the engine assembly's folder or one of its ancestors
    /// (the SDK package keeps the engine in <c>tasks/net10.0/</c> and the kernels in <c>kernels/</c>).
    /// Null when there is none.
    /// </summary>
    public static string? DefaultKernelsDirectory { get; } = FindKernelsDirectory(typeof(KernelSelection).Assembly.Location, AppContext.BaseDirectory);

    /// <summary>
    /// Chooses per kernel family. <c>portable</c>: portable everywhere. <c>auto</c>: on an Armv7E-M core
    /// with an FPU (Cortex-M4F, M7) the <c>armv7em</c> implementation of every family that has one
    /// (<c>kernels/armv7em/&lt;family&gt;.c</c>, faster than any other there) and runs assembly for
    /// this model's shapes; then, on a board with the
    /// MVE extension (Helium), the CMSIS implementation of every remaining family that has one
    /// (<c>kernels/cmsis/&lt;family&gt;.c</c> with its <c>.cmsis</c> list) whose CMSIS sources are found;
    /// portable for the rest, quietly, saying once (AD5003, info) how to enable CMSIS on a board that
    /// could use it. <c>armv7em</c>: the armv7em families, portable for the rest; an error (AD5006) on
    /// another core. <c>cmsis</c>: CMSIS for every family that has it, portable for the rest; an error on
    /// a board without DSP/MVE (AD5002) and when a needed CMSIS tree is missing (AD5001).
    /// </summary>
    public static KernelSelection Select(MemoryPlan plan, BoardSpec board, KernelChoice choice, DiagnosticBag diagnostics, SourceLocation? at,
        CmsisRoots? cmsis = null, string? kernelsDirectory = null)
    {
        var families = FamiliesOf(plan);
        if (choice == KernelChoice.Portable) return AllPortable(families);

        kernelsDirectory ??= DefaultKernelsDirectory;
        var kernelsFound = kernelsDirectory is not null && File.Exists(Path.Combine(kernelsDirectory, Portable, "autodiff_kernels.h"));

        if (choice == KernelChoice.Armv7em && !HasArmv7emFpu(board))
        {
            diagnostics.Error(BoardWithoutArmv7emCode,
                $"AutodiffKernels=armv7em needs an Armv7E-M core with an FPU (Cortex-M4F or Cortex-M7), but board '{board.Name}' has " +
                $"{(board.Toolchain == BoardToolchain.Host ? "the host's" : $"core {board.Cpu ?? "unknown"} with FPU {board.Fpu}")}; use AutodiffKernels=auto or portable for this board", at);
            return AllPortable(families);
        }
        var arm = choice is KernelChoice.Auto or KernelChoice.Armv7em && kernelsFound && HasArmv7emFpu(board)
            ? families.Where(f => File.Exists(Path.Combine(kernelsDirectory!, Armv7em, f + ".c"))
                                  && (choice == KernelChoice.Armv7em || Armv7emRunsAssembly(plan, f))).ToHashSet()
            : [];
        if (choice == KernelChoice.Armv7em) return Build(families, arm, [], CmsisRoots.None, kernelsDirectory);
        var rest = families.Where(f => !arm.Contains(f)).ToArray();

        // CMSIS-DSP's f32 functions are written for Helium (MVE); on a DSP-only core they are scalar
        // loops no faster than the portable kernels (measured by bench/insn-count), so auto takes
        // them only on an MVE core, and AutodiffKernels=cmsis on any core with DSP or MVE. CMSIS-NN's
        // int8 kernels use the DSP extension's dual 16-bit multiply-accumulates, so auto takes those
        // on DSP cores too, except on the Cortex-M4F/M7, where kernels/armv7em/int8.c (taken above)
        // runs the transfer sample's backbones in half of CMSIS-NN's instructions and 0.6 of its cycles (bench/transfer/run.sh).
        bool MayUseCmsis(string family) => board.Toolchain != BoardToolchain.Host &&
            (choice == KernelChoice.Cmsis || family == Int8Family ? board.HasDsp || board.HasMve : board.HasMve);
        if (!families.Any(MayUseCmsis))
        {
            if (choice == KernelChoice.Cmsis)
            {
                var what = board.Toolchain == BoardToolchain.Host ? "the host build" : $"its core ({board.Cpu ?? "unknown"})";
                diagnostics.Error(BoardWithoutDspCode,
                    $"AutodiffKernels=cmsis needs a Cortex-M core with the DSP or MVE extension, but board '{board.Name}' has neither ({what}); " +
                    "use AutodiffKernels=auto or portable for this board", at);
            }
            return Build(families, arm, [], CmsisRoots.None, kernelsDirectory);
        }

        if (!kernelsFound)
        {
            if (choice == KernelChoice.Cmsis)
                diagnostics.Error(KernelsFolderCode,
                    $"cannot find the Autodiff kernels folder{(kernelsDirectory is null ? "" : $" '{kernelsDirectory}'")} (it holds portable/autodiff_kernels.h and cmsis/), so no CMSIS kernel can be chosen; " +
                    "reinstall the Autodiff SDK or set AutodiffKernelsDirectory", at);
            return AllPortable(families);
        }

        var roots = cmsis ?? CmsisRoots.None;
        var available = new List<CmsisFamilyFile>();
        foreach (var family in rest)
        {
            if (!MayUseCmsis(family) || (choice == KernelChoice.Auto && !CmsisPaysOff(plan, family))) continue;
            var code = Path.Combine(kernelsDirectory!, Cmsis, family + ".c");
            var list = Path.Combine(kernelsDirectory!, Cmsis, family + CmsisFamilyFile.Extension);
            if (!File.Exists(code) || !File.Exists(list)) continue;
            var parsed = CmsisFamilyFile.Parse(family, File.ReadAllText(list), out var error);
            if (parsed is null)
            {
                diagnostics.Error(KernelsFolderCode, $"'{list}' is not a valid CMSIS source list: {error}", at);
                return AllPortable(families);
            }
            available.Add(parsed);
        }

        var chosen = new List<CmsisFamilyFile>();
        var missingRoots = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var family in available)
        {
            var lacks = MissingRoots(family, roots);
            if (lacks.Count > 0)
            {
                missingRoots.UnionWith(lacks);
                continue;
            }
            var missingFile = family.DspSources.Select(s => Path.Combine(roots.Dsp!, s))
                .Concat(family.NnSources.Select(s => Path.Combine(roots.Nn!, s)))
                .FirstOrDefault(p => !File.Exists(p));
            if (missingFile is not null)
            {
                if (choice == KernelChoice.Cmsis)
                    diagnostics.Error(CmsisFileMissingCode,
                        $"the CMSIS kernels for '{family.Family}' need '{missingFile}', which this CMSIS tree does not have; " +
                        "use a current CMSIS-DSP / CMSIS-NN release or AutodiffKernels=auto", at);
                else
                    diagnostics.Info(CmsisFileMissingCode,
                        $"portable kernels for '{family.Family}': the CMSIS tree lacks '{missingFile}'", at);
                continue;
            }
            chosen.Add(family);
        }

        if (missingRoots.Count > 0)
        {
            var names = string.Join(", ", available.Where(f => MissingRoots(f, roots).Count > 0).Select(f => f.Family));
            var how = HowToSet(missingRoots);
            if (choice == KernelChoice.Cmsis)
                diagnostics.Error(CmsisNotFoundCode,
                    $"AutodiffKernels=cmsis, but the CMSIS sources for {names} were not found: {how}", at);
            else
                diagnostics.Info(HowToEnableCmsisCode,
                    $"board '{board.Name}' can use CMSIS kernels for {names} but CMSIS was not found, so portable kernels are used; to enable CMSIS, {how}", at);
        }

        return Build(families, arm, chosen, roots, kernelsDirectory);
    }

    /// <summary>
    /// Whether the armv7em implementation of <paramref name="family"/> runs any assembly for this
    /// plan. Its linear kernels take rows of fewer than 16 inputs (AD7_MIN_IN in
    /// kernels/armv7em/linear.c) to the portable C after a test, so for a model whose fully connected
    /// layers are all that narrow they are the portable kernels plus that test, and auto keeps portable.
    /// </summary>
    private static bool Armv7emRunsAssembly(MemoryPlan plan, string family) =>
        family != "linear" || plan.Steps.SelectMany(s => s.Nodes)
            .Any(n => n.Op is Ops.LinearOp or Ops.LinearWeightGradOp && n.Input(1).Shape[1] >= Armv7emMinimumInputs);

    private const int Armv7emMinimumInputs = 16;

    /// <summary>
    /// Whether the cmsis implementation of <paramref name="family"/> is worth its fixed cost for this
    /// plan under auto. CMSIS calls check and set up before their vector loops, so some call of the
    /// family must have enough work: a linear layer with at least one four-lane vector of outputs per
    /// sample (CMSIS-NN's fully connected layer computes eight, then four, outputs of a row per pass),
    /// or, for the other families, an output of at least two vectors. With less the portable kernels
    /// took fewer instructions on the cortex-m55 board (hinge, one output and a one-element sum: 371
    /// against 510 per step; frozen_weights, a ReLU of six elements: 2,405 against 2,406), so auto
    /// keeps such a family portable.
    /// </summary>
    private static bool CmsisPaysOff(MemoryPlan plan, string family)
    {
        // CMSIS-NN's int8 kernels do two multiply-accumulates per instruction (four to sixteen on Helium).
        if (family == Int8Family) return true;
        var nodes = plan.Steps.SelectMany(s => s.Nodes).Where(n => n.Op.KernelFamily == family);
        return family == "linear"
            ? nodes.Any(n => n.Op is Ops.LinearOp && n.Out.Shape[n.Out.Shape.Rank - 1] >= CmsisMinimumOutputs)
            : nodes.Any(n => n.Output is { } output && output.Shape.Count >= CmsisMinimumElements);
    }

    private const int CmsisMinimumOutputs = 4;
    private const int CmsisMinimumElements = 8;

    /// <summary>Cortex-M4F and Cortex-M7: the Armv7E-M cores with a floating-point unit that the armv7em kernels are written for.</summary>
    public static bool HasArmv7emFpu(BoardSpec board) =>
        board.Toolchain != BoardToolchain.Host && board.HasFpu && board.Cpu is "cortex-m4" or "cortex-m7";

    public string Summary()
    {
        var counts = Families.GroupBy(kv => kv.Value).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        return string.Join(", ", counts);
    }

    private static KernelSelection AllPortable(IReadOnlyList<string> families) =>
        new(Map(families, _ => Portable), families.Select(f => $"{Portable}/{f}.c").ToArray());

    private static SortedDictionary<string, string> Map(IEnumerable<string> families, Func<string, string> choice) =>
        new(families.ToDictionary(f => f, choice), StringComparer.Ordinal);

    private static KernelSelection Build(IReadOnlyList<string> families, IReadOnlySet<string> arm, IReadOnlyList<CmsisFamilyFile> chosen, CmsisRoots roots,
        string? kernelsDirectory)
    {
        var byName = chosen.ToDictionary(f => f.Family);
        var map = Map(families, f => arm.Contains(f) ? Armv7em : byName.ContainsKey(f) ? Cmsis : Portable);
        var sources = map.Select(kv => $"{kv.Value}/{kv.Key}.c").ToList();
        var cmsisSources = new SortedSet<string>(StringComparer.Ordinal);
        var defines = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var f in chosen)
        {
            foreach (var s in f.DspSources) cmsisSources.Add(Path.GetFullPath(Path.Combine(roots.Dsp!, s)));
            foreach (var s in f.NnSources) cmsisSources.Add(Path.GetFullPath(Path.Combine(roots.Nn!, s)));
            defines.UnionWith(f.Defines);
        }
        sources.AddRange(cmsisSources);

        var includes = new List<string>();
        // kernels/cmsis/include wraps the compiler's arm_mve.h (GCC 12 cannot link CMSIS-NN's
        // Helium code without it), so it comes first.
        if (chosen.Any(f => f.NeedsNn) && kernelsDirectory is not null) includes.Add(Path.GetFullPath(Path.Combine(kernelsDirectory, Cmsis, "include")));
        if (chosen.Any(f => f.NeedsNn)) includes.Add(Path.Combine(roots.Nn!, "Include"));
        if (chosen.Any(f => f.NeedsDsp))
        {
            includes.Add(Path.Combine(roots.Dsp!, "Include"));
            includes.Add(Path.Combine(roots.Dsp!, "PrivateInclude"));
        }
        if (chosen.Count > 0) includes.Add(roots.Core!);

        return new KernelSelection(map, sources)
        {
            IncludeDirectories = includes,
            Defines = defines.ToArray(),
            CmsisCalls = chosen.ToDictionary(f => f.Family, f => f.Calls),
        };
    }

    /// <summary>The settings that would supply the CMSIS trees a family needs but that were not found.</summary>
    private static List<string> MissingRoots(CmsisFamilyFile family, CmsisRoots roots)
    {
        var missing = new List<string>();
        if (family.NeedsDsp && roots.Dsp is null) missing.Add(CmsisRoots.DspProperty);
        if (family.NeedsNn && roots.Nn is null) missing.Add(CmsisRoots.NnProperty);
        if ((family.NeedsDsp || family.NeedsNn) && roots.Core is null && (roots.Dsp is not null || roots.Nn is not null))
            missing.Add(CmsisRoots.CoreProperty);
        return missing;
    }

    private static string HowToSet(IEnumerable<string> properties) =>
        string.Join("; ", properties.Select(p => p switch
        {
            CmsisRoots.DspProperty => $"set {CmsisRoots.DspProperty} (or the environment variable {CmsisRoots.DspVariable}) to a CMSIS-DSP checkout (the folder with Include/arm_math.h)",
            CmsisRoots.NnProperty => $"set {CmsisRoots.NnProperty} (or the environment variable {CmsisRoots.NnVariable}) to a CMSIS-NN checkout (the folder with Include/arm_nnfunctions.h)",
            _ => $"set {CmsisRoots.CoreProperty} (or the environment variable {CmsisRoots.CoreVariable}) to the CMSIS Core include folder (the one with cmsis_compiler.h, CMSIS_6/CMSIS/Core/Include)",
        }));

    private static string? FindKernelsDirectory(params string?[] starts)
    {
        foreach (var start in starts)
        {
            if (string.IsNullOrEmpty(start)) continue;
            var dir = Directory.Exists(start) ? start : Path.GetDirectoryName(start);
            for (var depth = 0; dir is not null && depth < 8; depth++, dir = Path.GetDirectoryName(dir))
            {
                var candidate = Path.Combine(dir, "kernels");
                if (File.Exists(Path.Combine(candidate, Portable, "autodiff_kernels.h"))) return candidate;
            }
        }
        return null;
    }
}
