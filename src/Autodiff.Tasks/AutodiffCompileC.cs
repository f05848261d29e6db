using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Compiles one C source to an object with gcc (always <c>-std=c99</c>; a C++ source with the C++
/// driver and <c>-std=c++17</c>, <see cref="CxxCompiler"/>), writing a dependency file
/// (<c>-MMD</c>) so later builds know which headers it read. Skips the compiler when the object is
/// newer than the source, every recorded header and the <see cref="ExtraInputs"/>.
/// </summary>
public sealed class AutodiffCompileC : GccToolTask
{
    /// <summary>The C source, with <c>ObjectFile</c> and <c>DependencyFile</c> metadata (see <see cref="AutodiffPlanCompilation"/>).</summary>
    [Required] public ITaskItem Source { get; set; } = null!;

    /// <summary>Compiler flags, one argument each (architecture, optimisation, warnings).</summary>
    public string[] Flags { get; set; } = Array.Empty<string>();

    /// <summary>Preprocessor definitions, <c>NAME</c> or <c>NAME=VALUE</c>.</summary>
    public string[] Defines { get; set; } = Array.Empty<string>();

    /// <summary>Include folders, searched in order.</summary>
    public string[] IncludeDirectories { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Include folders of third-party headers (the CMSIS trees), passed as <c>-isystem</c> after
    /// <see cref="IncludeDirectories"/> so their warnings do not fail strict builds; gcc's dependency
    /// file does not list their headers.
    /// </summary>
    public string[] SystemIncludeDirectories { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Third-party source (a CMSIS file): the flags lose <c>-Werror</c> (and <c>-Werror=…</c>),
    /// <c>-Wpedantic</c>, <c>-pedantic</c> and <c>-pedantic-errors</c>, which such code is not written for.
    /// </summary>
    public bool ThirdPartySource { get; set; }

    /// <summary>The C++ driver, for C++ sources; empty when the toolchain has none.</summary>
    public string? CxxCompiler { get; set; }

    /// <summary>Files whose change forces recompilation (e.g. the file recording the flags).</summary>
    public ITaskItem[] ExtraInputs { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The object file written (or kept up to date).</summary>
    [Output] public ITaskItem? ObjectFile { get; private set; }

    /// <inheritdoc />
    protected override string MessageCode => SdkDiagnosticCodes.CompilerMessage;

    /// <inheritdoc />
    protected override string FailureCode => SdkDiagnosticCodes.CompilerFailed;

    private string ObjectPath => Source.GetMetadata("ObjectFile");

    private bool IsCxx => Autodiff.Tasks.CxxCompiler.IsCxxSource(Source.ItemSpec);

    private string DependencyPath => Source.GetMetadata("DependencyFile");

    /// <inheritdoc />
    public override bool Execute()
    {
        if (IsCxx)
        {
            if (string.IsNullOrWhiteSpace(CxxCompiler))
            {
                Log.LogError(null, SdkDiagnosticCodes.ToolchainMissing, null, Source.ItemSpec, 0, 0, 0, 0,
                    "'{0}' is C++, but there is no C++ compiler beside '{1}'. Install it (Debian/Ubuntu: apt-get install g++, " +
                    "or for Arm boards the GNU Arm toolchain's arm-none-eabi-g++) or remove the file from CCompile.",
                    Source.ItemSpec, Compiler);
                return false;
            }
            Compiler = CxxCompiler!;
        }
        var succeeded = base.Execute();
        if (succeeded) ObjectFile = MsBuildEscaping.Item(ObjectPath);
        return succeeded;
    }

    /// <inheritdoc />
    /// <remarks>The dependency file is published before the object, so an object never stands without the record of its headers.</remarks>
    protected override IEnumerable<string> OutputFiles => new[] { DependencyPath, ObjectPath };

    /// <inheritdoc />
    protected override bool SkipTaskExecution()
    {
        if (!File.Exists(ObjectPath) || !File.Exists(DependencyPath)) return false;
        var built = File.GetLastWriteTimeUtc(ObjectPath);
        var inputs = MakeDependencyFile.ReadPrerequisites(DependencyPath)
            .Append(Source.GetMetadata("FullPath"))
            .Concat(ExtraInputs.Select(i => i.GetMetadata("FullPath")));
        foreach (var input in inputs)
        {
            var path = Path.GetFullPath(input, GetWorkingDirectory() ?? Directory.GetCurrentDirectory());
            if (!File.Exists(path) || File.GetLastWriteTimeUtc(path) > built) return false;
        }
        Log.LogMessage(MessageImportance.Low, "{0} is up to date", ObjectPath);
        return true;
    }

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        builder.AppendSwitch("-c");
        builder.AppendSwitch(IsCxx ? "-std=c++17" : "-std=c99");
        builder.AppendSwitch("-fdiagnostics-color=never");
        builder.AppendSwitch("-fno-diagnostics-show-caret");
        foreach (var flag in Flags.Where(f => !string.IsNullOrWhiteSpace(f) && !(ThirdPartySource && IsStrictnessFlag(f)))) builder.AppendSwitch(Quote(flag));
        foreach (var define in Defines.Where(d => !string.IsNullOrWhiteSpace(d))) builder.AppendSwitch(Quote("-D" + define));
        foreach (var include in IncludeDirectories.Where(d => !string.IsNullOrWhiteSpace(d))) builder.AppendSwitch(Quote("-I" + include));
        foreach (var include in SystemIncludeDirectories.Where(d => !string.IsNullOrWhiteSpace(d)))
        {
            builder.AppendSwitch("-isystem");
            builder.AppendSwitch(Quote(include));
        }
        // Both outputs go to temporary names (see GccToolTask); -MT keeps the real object as the
        // rule's target. Paths are quoted by hand: CommandLineBuilder's file-name methods throw
        // (MSB6001) on a '"' in a folder name, which a path may legally hold.
        // No -MP: its phony rules would follow the first rule directly, and only with the first rule
        // alone in the file can MakeDependencyFile tell a newline inside a path from the rule's end.
        builder.AppendSwitch("-MMD");
        builder.AppendSwitch("-MT");
        builder.AppendSwitch(Quote(ObjectPath));
        builder.AppendSwitch("-MF");
        builder.AppendSwitch(Quote(Staged(DependencyPath)));
        builder.AppendSwitch("-o");
        builder.AppendSwitch(Quote(Staged(ObjectPath)));
        builder.AppendSwitch(Quote(Source.GetMetadata("FullPath")));
        return builder.ToString();
    }

    /// <summary>Flags that turn warnings into errors or ask for strict ISO C, left out for third-party sources.</summary>
    internal static bool IsStrictnessFlag(string flag)
    {
        var trimmed = flag.Trim();
        return trimmed == "-Werror" || trimmed.StartsWith("-Werror=", StringComparison.Ordinal)
            || trimmed is "-Wpedantic" or "-pedantic" or "-pedantic-errors";
    }

    /// <summary>Quotes an argument holding spaces the way the process launcher splits arguments.</summary>
    internal static string Quote(string argument) =>
        argument.Length == 0 || argument.Any(char.IsWhiteSpace) || argument.Contains('"') || argument.Contains('\'')
            ? "\"" + argument.Replace("\"", "\\\"") + "\""
            : argument;
}
