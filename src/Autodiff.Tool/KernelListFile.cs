namespace Autodiff.Tool;

/// <summary>
/// <c>NAME.kernels.txt</c>: what a firmware must compile besides <c>NAME.c</c>, one entry a line,
/// each with its kind first so a CMake script can read it without a parser:
/// <c>source PATH</c> (absolute), <c>include DIR</c> (absolute), <c>define NAME[=VALUE]</c>.
/// </summary>
public static class KernelListFile
{
    public static string Format(IEnumerable<string> sources, IEnumerable<string> includeDirectories, IEnumerable<string> defines)
    {
        var lines = sources.Select(s => "source " + Slashes(s))
            .Concat(includeDirectories.Select(d => "include " + Slashes(d)))
            .Concat(defines.Select(d => "define " + d));
        return string.Concat(lines.Select(l => l + "\n"));
    }

    // CMake reads forward slashes on every system; a backslash would start an escape.
    private static string Slashes(string path) => path.Replace('\\', '/');
}
