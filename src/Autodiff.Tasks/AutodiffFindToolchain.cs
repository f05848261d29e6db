using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// Locates the C compiler and objcopy for a board: for Arm boards the
/// <c>ArmGccPath</c> property first, then <c>PATH</c>; a missing toolchain is one AD4010 error that
/// says what to install.
/// </summary>
public sealed class AutodiffFindToolchain : AutodiffTask
{
    /// <summary><c>host</c> or <c>arm-none-eabi</c>, from the board.</summary>
    [Required] public string Toolchain { get; set; } = "";

    /// <summary>The toolchain's folder, its <c>bin</c> folder, or the path of <c>arm-none-eabi-gcc</c> itself; optional.</summary>
    public string? ArmGccPath { get; set; }

    /// <summary>The host C compiler to use for the <c>host</c> board (default <c>gcc</c>); a name on PATH or a path.</summary>
    public string? HostCompiler { get; set; }

    /// <summary>Board name, for the error message.</summary>
    public string? Board { get; set; }

    /// <summary>Full path of the C compiler, which also drives the linker.</summary>
    [Output] public string CompilerPath { get; private set; } = "";

    /// <summary>Full path of the C++ driver beside the C compiler (<see cref="CxxCompiler"/>); empty when there is none.</summary>
    [Output] public string CxxCompilerPath { get; private set; } = "";

    /// <summary>Full path of objcopy (Arm only; empty on the host).</summary>
    [Output] public string ObjcopyPath { get; private set; } = "";

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        if (Toolchain == "host")
        {
            var compiler = string.IsNullOrWhiteSpace(HostCompiler) ? "gcc" : HostCompiler!;
            var found = File.Exists(compiler) ? Path.GetFullPath(compiler) : ExecutableSearch.Find(compiler);
            if (found is null)
            {
                Log.LogError(null, SdkDiagnosticCodes.ToolchainMissing, null, null, 0, 0, 0, 0,
                    "C compiler '{0}' for board 'host' not found on PATH. Install it (Debian/Ubuntu: apt-get install gcc) or set AutodiffHostCompiler.",
                    compiler);
                return false;
            }
            CompilerPath = found;
            CxxCompilerPath = CxxCompiler.Beside(found) ?? "";
            return true;
        }

        var preferred = new List<string>();
        if (!string.IsNullOrWhiteSpace(ArmGccPath))
        {
            var given = ArmGccPath!.Trim();
            if (File.Exists(given)) given = Path.GetDirectoryName(Path.GetFullPath(given))!;
            preferred.Add(Path.Combine(given, "bin"));
            preferred.Add(given);
        }
        var gcc = ExecutableSearch.Find("arm-none-eabi-gcc", preferred);
        var objcopy = gcc is null ? null : ExecutableSearch.Find("arm-none-eabi-objcopy", new[] { Path.GetDirectoryName(gcc)! });
        if (gcc is null || objcopy is null)
        {
            Log.LogError(null, SdkDiagnosticCodes.ToolchainMissing, null, null, 0, 0, 0, 0,
                "arm-none-eabi-gcc (needed for board '{0}') was not found {1}. Install the GNU Arm Embedded toolchain " +
                "(Debian/Ubuntu: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi, and qemu-system-arm to run) " +
                "or set ArmGccPath to its folder.",
                Board ?? "", string.IsNullOrWhiteSpace(ArmGccPath) ? "on PATH" : $"in ArmGccPath '{ArmGccPath}' nor on PATH");
            return false;
        }
        CompilerPath = gcc;
        CxxCompilerPath = CxxCompiler.Beside(gcc) ?? "";
        ObjcopyPath = objcopy;
        return true;
    }
}
