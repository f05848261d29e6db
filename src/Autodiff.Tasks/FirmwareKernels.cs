namespace Autodiff.Tasks;

/// <summary>
/// One implementation per kernel family for the whole firmware. Each model chooses its kernels for
/// its own shapes (auto keeps <c>linear</c> portable for a model whose rows are all too narrow for the
/// armv7em assembly), but every implementation of a family defines the same functions
/// (<c>ad_linear_f32</c>, …), so two models that chose differently would link both and fail with
/// "multiple definition". Every implementation also runs every shape its family accepts (the armv7em
/// kernels hand narrow rows to the portable C, the CMSIS int8 wrappers fall back to portable when their
/// planned scratch is short), so the firmware takes, per family, the most specialised implementation
/// any of its models chose.
/// </summary>
internal static class FirmwareKernels
{
    /// <summary>Implementation folders of the SDK's kernels, most specialised first.</summary>
    private static readonly string[] Preference = ["armv7em", "cmsis", "portable"];

    /// <summary>A family whose models chose different implementations, and what the firmware links.</summary>
    public sealed record Change(string Family, string Chosen, IReadOnlyList<string> Replaced);

    /// <summary>
    /// <paramref name="sources"/> (relative to the kernels folder, like <c>portable/linear.c</c>, or absolute
    /// for CMSIS's own files) with one implementation per family, in their first order.
    /// </summary>
    public static IReadOnlyList<string> Unify(IReadOnlyList<string> sources, out IReadOnlyList<Change> changes)
    {
        var byFamily = sources.Select(Parse).OfType<(string Implementation, string Family)>()
            .GroupBy(k => k.Family)
            .Where(g => g.Select(k => k.Implementation).Distinct().Count() > 1)
            .ToDictionary(g => g.Key, g => g.Select(k => k.Implementation).Distinct().OrderBy(Rank).ToList());
        changes = byFamily.Select(kv => new Change(kv.Key, kv.Value[0], kv.Value.Skip(1).ToList())).OrderBy(c => c.Family, StringComparer.Ordinal).ToList();
        return sources.Where(s => Parse(s) is not { } k || !byFamily.TryGetValue(k.Family, out var choices) || choices[0] == k.Implementation)
            .Distinct(StringComparer.Ordinal).ToList();
    }

    private static int Rank(string implementation) =>
        Array.IndexOf(Preference, implementation) is var i and >= 0 ? i : Preference.Length;

    /// <summary><c>armv7em/linear.c</c> → (armv7em, linear); null for anything else (CMSIS's files, absolute paths).</summary>
    private static (string Implementation, string Family)? Parse(string source)
    {
        if (Path.IsPathRooted(source)) return null;
        var parts = source.Replace('\\', '/').Split('/');
        return parts.Length == 2 && parts[1].EndsWith(".c", StringComparison.Ordinal) && Preference.Contains(parts[0])
            ? (parts[0], parts[1][..^2])
            : null;
    }
}
