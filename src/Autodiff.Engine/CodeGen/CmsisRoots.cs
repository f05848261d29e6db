namespace Autodiff.Engine.CodeGen;

/// <summary>
/// Where the CMSIS source trees are. Each root is an explicit setting (MSBuild property)
/// or, when that is empty, an environment variable:
/// <list type="bullet">
/// <item><c>CmsisDspRoot</c> / <c>CMSIS_DSP_ROOT</c>: a CMSIS-DSP checkout (holds <c>Include/arm_math.h</c>, <c>PrivateInclude</c>, <c>Source</c>).</item>
/// <item><c>CmsisNnRoot</c> / <c>CMSIS_NN_ROOT</c>: a CMSIS-NN checkout (holds <c>Include/arm_nnfunctions.h</c>, <c>Source</c>).</item>
/// <item><c>CmsisCoreRoot</c> / <c>CMSIS_CORE_ROOT</c>: the CMSIS Core include folder (holds <c>cmsis_compiler.h</c>),
/// which CMSIS-DSP and CMSIS-NN include. When unset it is looked for beside the DSP root: a CMSIS_6 (or CMSIS_5)
/// checkout next to it (<c>../CMSIS_6/CMSIS/Core/Include</c>), or a CMSIS pack layout (<c>../CMSIS/Core/Include</c>).</item>
/// </list>
/// A root counts as found only when its marker file exists; paths are made absolute.
/// </summary>
public sealed record CmsisRoots(string? Dsp, string? Nn, string? Core)
{
    public const string DspProperty = "CmsisDspRoot";
    public const string NnProperty = "CmsisNnRoot";
    public const string CoreProperty = "CmsisCoreRoot";
    public const string DspVariable = "CMSIS_DSP_ROOT";
    public const string NnVariable = "CMSIS_NN_ROOT";
    public const string CoreVariable = "CMSIS_CORE_ROOT";

    /// <summary>No CMSIS at all.</summary>
    public static CmsisRoots None { get; } = new(null, null, null);

    /// <summary>The DSP root, when it holds <c>Include/arm_math.h</c> and a Core include folder was found too.</summary>
    public bool HasDsp => Dsp is not null && Core is not null;

    /// <summary>The NN root, when it holds <c>Include/arm_nnfunctions.h</c> and a Core include folder was found too.</summary>
    public bool HasNn => Nn is not null && Core is not null;

    /// <summary>
    /// Resolves the roots from explicit settings, falling back to <paramref name="environment"/>
    /// (<see cref="Environment.GetEnvironmentVariable(string)"/> when null). Roots without their marker file are dropped.
    /// </summary>
    public static CmsisRoots Find(string? dspRoot, string? nnRoot, string? coreRoot, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var dsp = Existing(Pick(dspRoot, environment(DspVariable)), Path.Combine("Include", "arm_math.h"));
        var nn = Existing(Pick(nnRoot, environment(NnVariable)), Path.Combine("Include", "arm_nnfunctions.h"));
        var core = Existing(Pick(coreRoot, environment(CoreVariable)), "cmsis_compiler.h");
        if (core is null && Pick(coreRoot, environment(CoreVariable)) is null)
            core = Beside(dsp) ?? Beside(nn);
        return new CmsisRoots(dsp, nn, core);
    }

    /// <summary>Whether any root setting was given at all (found or not), for messages.</summary>
    public static bool AnySet(string? dspRoot, string? nnRoot, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return Pick(dspRoot, environment(DspVariable)) is not null || Pick(nnRoot, environment(NnVariable)) is not null;
    }

    private static string? Pick(string? setting, string? variable) =>
        !string.IsNullOrWhiteSpace(setting) ? setting.Trim() : !string.IsNullOrWhiteSpace(variable) ? variable.Trim() : null;

    private static string? Existing(string? root, string marker)
    {
        if (root is null) return null;
        try
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
            return File.Exists(Path.Combine(full, marker)) ? full : null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    /// <summary>A Core include folder near a CMSIS-DSP or CMSIS-NN checkout.</summary>
    private static string? Beside(string? root)
    {
        if (root is null) return null;
        var parent = Path.GetDirectoryName(root);
        if (parent is null) return null;
        string[] candidates =
        [
            Path.Combine(parent, "CMSIS_6", "CMSIS", "Core", "Include"),
            Path.Combine(parent, "CMSIS_5", "CMSIS", "Core", "Include"),
            Path.Combine(parent, "CMSIS", "Core", "Include"),
            Path.Combine(parent, "Core", "Include"),
        ];
        return candidates.Select(c => Existing(c, "cmsis_compiler.h")).FirstOrDefault(c => c is not null);
    }
}
