namespace Autodiff.Tasks;

/// <summary>
/// C++ beside C: which sources are C++ and which driver compiles them. gcc would compile a
/// <c>.cpp</c> too, but only the C++ driver links the C++ runtime, so both use the one named after
/// the C compiler (<c>arm-none-eabi-gcc</c> → <c>arm-none-eabi-g++</c>, <c>gcc-12</c> → <c>g++-12</c>,
/// <c>clang</c> → <c>clang++</c>, <c>cc</c> → <c>c++</c>), in the C compiler's folder.
/// </summary>
internal static class CxxCompiler
{
    public static readonly IReadOnlyList<string> Extensions = [".cpp", ".cc", ".cxx"];

    public static bool IsCxxSource(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The C++ driver beside <paramref name="cCompiler"/>, or null when there is none.</summary>
    public static string? Beside(string cCompiler)
    {
        var name = Path.GetFileName(cCompiler);
        var at = name.LastIndexOf("gcc", StringComparison.Ordinal);
        var cxxName = at >= 0 ? name[..at] + "g++" + name[(at + 3)..]
            : name.LastIndexOf("clang", StringComparison.Ordinal) is var c and >= 0 ? name[..(c + 5)] + "++" + name[(c + 5)..]
            : name == "cc" ? "c++"
            : null;
        if (cxxName is null) return null;
        var candidate = Path.Combine(Path.GetDirectoryName(cCompiler) ?? "", cxxName);
        return File.Exists(candidate) ? candidate : null;
    }
}
