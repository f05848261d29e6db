namespace Autodiff.Engine.CodeGen;

/// <summary>
/// What one CMSIS kernel family needs, read from <c>kernels/cmsis/&lt;family&gt;.cmsis</c> beside its C file.
/// One entry per line, <c>#</c> starts a comment:
/// <code>
/// dsp:Source/BasicMathFunctions/arm_scale_f32.c    a CMSIS-DSP source, relative to the DSP root
/// nn:Source/ConvolutionFunctions/arm_convolve_f32.c a CMSIS-NN source, relative to the NN root
/// define:ARM_MATH_LOOPUNROLL                         a preprocessor definition for the whole firmware
/// calls:ad_linear_f32 arm_fully_connected_f32        what a kernel of the family runs, for the build report
/// </code>
/// Only the listed sources are compiled into the firmware, so the list must be complete (every CMSIS
/// function the family file calls, and what those call in turn).
/// </summary>
public sealed record CmsisFamilyFile(string Family, IReadOnlyList<string> DspSources, IReadOnlyList<string> NnSources, IReadOnlyList<string> Defines)
{
    /// <summary>Kernel ABI function → what it runs (CMSIS functions, or the family's own code), in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Calls { get; init; } = [];

    public const string Extension = ".cmsis";

    public bool NeedsDsp => DspSources.Count > 0;
    public bool NeedsNn => NnSources.Count > 0;

    /// <summary>Parses the data file; null (with <paramref name="error"/>) when a line is not understood.</summary>
    public static CmsisFamilyFile? Parse(string family, string text, out string? error)
    {
        var dsp = new List<string>();
        var nn = new List<string>();
        var defines = new List<string>();
        var calls = new List<KeyValuePair<string, string>>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var hash = raw.IndexOf('#');
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0) continue;
            var colon = line.IndexOf(':');
            var kind = colon > 0 ? line[..colon].Trim() : "";
            var value = colon > 0 ? line[(colon + 1)..].Trim() : "";
            if (kind == "calls")
            {
                var space = value.IndexOf(' ');
                if (space <= 0)
                {
                    error = $"line {lineNumber}: expected 'calls:<kernel function> <what it runs>', found '{line}'";
                    return null;
                }
                calls.Add(new(value[..space], value[(space + 1)..].Trim()));
                continue;
            }
            var list = kind switch { "dsp" => dsp, "nn" => nn, "define" => defines, _ => null };
            if (list is null || value.Length == 0 || (list != defines && (Path.IsPathRooted(value) || value.Contains(".."))))
            {
                error = $"line {lineNumber}: expected 'dsp:<relative path>', 'nn:<relative path>', 'define:<NAME[=VALUE]>' or 'calls:<kernel function> <what it runs>', found '{line}'";
                return null;
            }
            if (!list.Contains(value)) list.Add(value);
        }
        error = null;
        return new CmsisFamilyFile(family, dsp, nn, defines) { Calls = calls };
    }
}
