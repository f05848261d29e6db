using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine;

/// <summary>Which kernel implementation the generated C is linked against (DESIGN §7).</summary>
public enum KernelChoice { Auto, Portable, Cmsis }

/// <summary>Everything the engine needs to turn one model file into C for one board.</summary>
public sealed record CompileRequest(
    string ModelPath,
    BoardSpec Board,
    KernelChoice Kernels = KernelChoice.Auto,
    long? RamBudget = null,
    long? RamReserve = null,
    string? CmsisNnRoot = null,
    string? CmsisDspRoot = null);

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
}
