using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>
/// Writes a strided walk as C loops with constant bounds and strides, for the ops that only move
/// or add values between layouts (transpose, broadcast, sum to a shape) and for reductions and
/// their gradients. Everything about the walk
/// is known at build time, so the generated loops do no index bookkeeping at run time.
/// </summary>
internal static class StridedLoops
{
    /// <summary>
    /// Emits a row-major walk over <paramref name="dims"/> (coalesced first). The statement
    /// <paramref name="body"/> receives <c>k</c>, the walk's position (0, 1, 2, ...), and per stride
    /// set the C expression of its offset at that position.
    /// </summary>
    public static void Emit(IKernelCallWriter c, int[] dims, int[][] strides, Func<string, string[], string> body)
    {
        var (walk, walkStrides) = Broadcasting.Coalesce(dims, strides);
        c.Line("{");
        c.Line("size_t k = 0;");
        for (var d = 0; d < walk.Length; d++) c.Line($"for (uint32_t i{d} = 0; i{d} < {walk[d]}u; ++i{d}) {{");
        var offsets = walkStrides.Select(s => Offset(s, "i")).ToArray();
        c.Line(body("k", offsets));
        c.Line("++k;");
        for (var d = 0; d < walk.Length; d++) c.Line("}");
        c.Line("(void)k;");
        c.Line("}");
    }

    /// <summary>Σ index·stride over the loop variables <paramref name="index"/>0, 1, ... as C.</summary>
    private static string Offset(int[] strides, string index)
    {
        var terms = strides.Select((s, d) => (s, d)).Where(t => t.s != 0)
            .Select(t => t.s == 1 ? $"{index}{t.d}" : $"(size_t){index}{t.d} * {t.s}u").ToArray();
        return terms.Length == 0 ? "0" : string.Join(" + ", terms);
    }

    /// <summary>
    /// Emits a reduction's walk: the kept axes row-major (the output's order; <c>k</c> counts the
    /// groups) and, for each group, one loop over its reduced elements per entry of
    /// <paramref name="passes"/>, in row-major order. <c>base</c> is the group's first element;
    /// a pass receives the offset of an element from it. <paramref name="begin"/> and
    /// <paramref name="end"/> are statements before and after the passes.
    /// </summary>
    public static void EmitGroups(IKernelCallWriter c, Shape x, bool[] reduced, string begin, IReadOnlyList<Func<string, string>> passes, string end)
    {
        var strides = x.Strides();
        int[] Pick(bool which, int[] values) => Enumerable.Range(0, x.Rank).Where(i => reduced[i] == which).Select(i => values[i]).ToArray();
        var (kept, keptStrides) = Broadcasting.Coalesce(Pick(false, x.ToArray()), Pick(false, strides));
        var (group, groupStrides) = Broadcasting.Coalesce(Pick(true, x.ToArray()), Pick(true, strides));
        c.Line("{");
        c.Line("size_t k = 0;");
        for (var d = 0; d < kept.Length; d++) c.Line($"for (uint32_t i{d} = 0; i{d} < {kept[d]}u; ++i{d}) {{");
        c.Line($"const size_t base = {Offset(keptStrides[0], "i")};");
        foreach (var line in begin.Split('\n')) c.Line(line);
        foreach (var pass in passes)
        {
            for (var d = 0; d < group.Length; d++) c.Line($"for (uint32_t r{d} = 0; r{d} < {group[d]}u; ++r{d}) {{");
            c.Line(pass(Offset(groupStrides[0], "r")));
            for (var d = 0; d < group.Length; d++) c.Line("}");
        }
        if (end.Length > 0) c.Line(end);
        c.Line("++k;");
        for (var d = 0; d < kept.Length; d++) c.Line("}");
        c.Line("(void)k;");
        c.Line("}");
    }
}
