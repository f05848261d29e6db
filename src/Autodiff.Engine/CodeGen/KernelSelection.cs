using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Planning;

namespace Autodiff.Engine.CodeGen;

/// <summary>Which implementation each kernel family gets, and the C sources that implies.</summary>
/// <param name="Families">Kernel family → "portable" or "cmsis", in name order.</param>
/// <param name="Sources">Kernel sources to compile, relative to the SDK's kernels folder or absolute (CMSIS).</param>
public sealed record KernelSelection(IReadOnlyDictionary<string, string> Families, IReadOnlyList<string> Sources)
{
    public const string Portable = "portable";
    public const string Cmsis = "cmsis";

    public static IReadOnlyList<string> FamiliesOf(MemoryPlan plan) =>
        plan.Steps.SelectMany(s => s.Nodes).Select(n => n.Op.KernelFamily).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Portable kernels for every family the plan uses. (CMSIS selection plugs in here: per family,
    /// when the board has DSP/MVE and CMSIS sources are supplied.)
    /// </summary>
    public static KernelSelection Select(MemoryPlan plan, BoardSpec board, KernelChoice choice, DiagnosticBag diagnostics, SourceLocation? at)
    {
        var families = FamiliesOf(plan);
        var map = families.ToDictionary(f => f, _ => Portable);
        var sources = families.Select(f => $"{Portable}/{f}.c").ToList();
        return new KernelSelection(map, sources);
    }

    public string Summary()
    {
        var counts = Families.Values.GroupBy(v => v).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        return string.Join(", ", counts);
    }
}
