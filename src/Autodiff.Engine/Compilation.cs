using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine;

/// <summary>Which kernel implementations the generated C is linked against (the AutodiffKernels property).</summary>
public enum KernelChoice { Auto, Portable, Cmsis, Armv7em }

public static class KernelChoices
{
    /// <summary>The property's spellings, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<KernelChoice>().Select(Name).ToArray();

    /// <summary>The property's spelling of <paramref name="choice"/>.</summary>
    public static string Name(KernelChoice choice) => choice.ToString().ToLowerInvariant();

    /// <summary>Parses an AutodiffKernels value (case-insensitive; empty means auto).</summary>
    public static bool TryParse(string? text, out KernelChoice choice)
    {
        choice = KernelChoice.Auto;
        switch (string.IsNullOrWhiteSpace(text) ? "auto" : text.Trim().ToLowerInvariant())
        {
            case "auto": return true;
            case "portable": choice = KernelChoice.Portable; return true;
            case "armv7em": choice = KernelChoice.Armv7em; return true;
            case "cmsis": choice = KernelChoice.Cmsis; return true;
            default: return false;
        }
    }
}

/// <summary>
/// Everything the engine needs to turn one model file into C for one board. Empty CMSIS roots fall
/// back to the environment variables <c>CMSIS_NN_ROOT</c>, <c>CMSIS_DSP_ROOT</c>, <c>CMSIS_CORE_ROOT</c>
/// (see <see cref="CodeGen.CmsisRoots"/>).
/// </summary>
public sealed record CompileRequest(
    string ModelPath,
    BoardSpec Board,
    KernelChoice Kernels = KernelChoice.Auto,
    long? RamBudget = null,
    long? RamReserve = null,
    string? CmsisNnRoot = null,
    string? CmsisDspRoot = null)
{
    /// <summary>The CMSIS Core include folder (holds <c>cmsis_compiler.h</c>); by default found beside the DSP root.</summary>
    public string? CmsisCoreRoot { get; init; }

    /// <summary>
    /// CMSIS roots the caller has already resolved (the SDK, once per build, to name them in the build
    /// and in its regeneration settings). When set, they are used as they are, and the three root
    /// settings above and the environment variables are not consulted.
    /// </summary>
    public CodeGen.CmsisRoots? ResolvedCmsis { get; init; }

    /// <summary>
    /// The SDK's <c>kernels</c> folder (with <c>portable/</c> and <c>cmsis/</c>), which tells which
    /// families have CMSIS implementations; by default the one beside the engine assembly.
    /// </summary>
    public string? KernelsDirectory { get; init; }

    /// <summary>
    /// Fuse each weight's optimizer update into its gradient, formed in registers and applied at once,
    /// never stored (the default). False stores every gradient and updates afterwards, as a plain
    /// training loop does; kept for comparisons and benchmarks.
    /// </summary>
    public bool FuseUpdates { get; init; } = true;

    /// <summary>
    /// The folder the caller writes generated files to, one subfolder per model (<c>DIR/NAME/NAME.c</c>);
    /// only used to name the HTML report's path in the report lines and in AD3001. Null names the file alone.
    /// </summary>
    public string? GeneratedDirectory { get; init; }

    /// <summary>
    /// Keys of the model file to ignore (<c>AutodiffTrainAll</c>: train every layer, no weights, no
    /// int8; <c>AutodiffQuantize=false</c>: no int8), so one file serves pretraining, the int8 device
    /// and its float comparison. The default reads the file as written.
    /// </summary>
    public Model.LoadOptions LoadOptions { get; init; } = Model.LoadOptions.Default;
}

/// <summary>A file the engine produced; <see cref="RelativePath"/> is relative to the output folder.</summary>
public sealed record GeneratedFile(string RelativePath, string Content);

/// <summary>
/// Outcome of compiling one model. When <see cref="Diagnostics"/> holds an error, <see cref="Files"/>
/// is empty: nothing half-made is ever handed to the caller.
/// </summary>
public sealed record CompileResult(
    IReadOnlyList<Diagnostic> Diagnostics,
    IReadOnlyList<GeneratedFile> Files,
    string? ModelName,
    IReadOnlyList<string> ReportLines,
    IReadOnlyList<string> InputFiles,
    IReadOnlyList<string> KernelSources)
{
    public bool Succeeded => Diagnostics.All(d => !d.IsError);

    /// <summary>
    /// <c>NAME.report.html</c> and <c>NAME.dot</c>. On success they are also among <see cref="Files"/>; a model
    /// over its RAM budget (AD3001) has no <see cref="Files"/> but still these, and its <see cref="ModelName"/>,
    /// so the caller can write the report that shows why.
    /// </summary>
    public IReadOnlyList<GeneratedFile> ReportFiles { get; init; } = [];

    /// <summary>
    /// The arena's buffers as planned, on success; the SDK keeps it to draw the firmware-wide memory map
    /// (every model's arena at its linked address) without planning the model again.
    /// </summary>
    public Planning.ArenaLayout? Arena { get; init; }

    /// <summary>
    /// Include folders the kernel sources need beyond the kernels' own (CMSIS-NN <c>Include</c>, CMSIS-DSP
    /// <c>Include</c> and <c>PrivateInclude</c>, CMSIS Core include), absolute; empty with portable kernels.
    /// Best passed as <c>-isystem</c> so warnings in CMSIS headers do not fail strict builds.
    /// </summary>
    public IReadOnlyList<string> IncludeDirectories { get; init; } = [];

    /// <summary>Preprocessor definitions (<c>NAME</c> or <c>NAME=VALUE</c>) for every C file of the firmware; empty with portable kernels.</summary>
    public IReadOnlyList<string> Defines { get; init; } = [];
}
