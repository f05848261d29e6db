namespace Autodiff.Tasks;

/// <summary>
/// Codes of the diagnostics the SDK itself reports. Board description problems use
/// <see cref="Autodiff.Engine.Boards.BoardCatalog.UnknownBoardCode"/> and
/// <see cref="Autodiff.Engine.Boards.BoardCatalog.InvalidBoardCode"/>.
/// </summary>
public static class SdkDiagnosticCodes
{
    /// <summary>The arenas of all the firmware's models together exceed the board's budget (checked before linking).</summary>
    public const string FirmwareOverBudget = "AD3002";

    /// <summary>Firmware image does not fit a memory region of the board (linker overflow).</summary>
    public const string RegionOverflow = "AD3901";

    /// <summary>A property such as <c>AutodiffKernels</c> or <c>AutodiffRamBudget</c> has an invalid value.</summary>
    public const string InvalidProperty = "AD4003";

    /// <summary>The C toolchain for the board was not found.</summary>
    public const string ToolchainMissing = "AD4010";

    /// <summary>QEMU, needed to run firmware of an emulated board, was not found.</summary>
    public const string QemuMissing = "AD4011";

    /// <summary>The compiler or objcopy exists but cannot be started (not executable, a folder, empty).</summary>
    public const string ToolNotRunnable = "AD4012";

    /// <summary>The same generated model name comes from two model files.</summary>
    public const string DuplicateModelName = "AD4020";

    /// <summary>A model file named in the project does not exist.</summary>
    public const string ModelFileMissing = "AD4022";

    /// <summary>A model name whose generated header would hide a header of the toolchain.</summary>
    public const string NameHidesToolchainHeader = "AD4023";

    /// <summary>Generated files could not be written.</summary>
    public const string WriteFailed = "AD4021";

    /// <summary>An error or warning printed by the C compiler.</summary>
    public const string CompilerMessage = "AD4101";

    /// <summary>The C compiler failed without printing a recognisable message.</summary>
    public const string CompilerFailed = "AD4102";

    /// <summary>An error or warning printed by the linker.</summary>
    public const string LinkerMessage = "AD4201";

    /// <summary>The linker failed without printing a recognisable message.</summary>
    public const string LinkerFailed = "AD4202";

    /// <summary>objcopy failed to write the raw binary (<c>.bin</c>) of the firmware.</summary>
    public const string ObjcopyFailed = "AD4203";

    /// <summary>The firmware image could not be read for the size report.</summary>
    public const string ImageUnreadable = "AD4301";

    /// <summary><c>-t:Run</c> on a board that can only be built.</summary>
    public const string BoardNotRunnable = "AD4401";

    /// <summary>The program or emulator exited with a non-zero code.</summary>
    public const string RunFailed = "AD4402";

    /// <summary>The program or emulator did not finish within <c>AutodiffRunTimeout</c>.</summary>
    public const string RunTimedOut = "AD4403";

    /// <summary><c>-t:Run</c> found no firmware image to run.</summary>
    public const string ImageMissing = "AD4404";

    /// <summary><c>-t:Run</c> found an image (or QEMU) that cannot be started, e.g. not executable.</summary>
    public const string ImageNotRunnable = "AD4405";

    /// <summary>An <c>AutodiffData</c> file does not exist.</summary>
    public const string DataFileMissing = "AD4501";

    /// <summary>An <c>AutodiffData</c> file is not a .npy file the SDK reads (format, dtype, order, size).</summary>
    public const string DataUnreadable = "AD4502";

    /// <summary>An <c>AutodiffData</c> item has invalid metadata (Symbol, ElementType, Pack, Threshold, First, Count).</summary>
    public const string DataInvalidMetadata = "AD4503";

    /// <summary>A value of an <c>AutodiffData</c> file does not fit its element type, or First/Count lie outside the file.</summary>
    public const string DataNotRepresentable = "AD4504";

    /// <summary>Two <c>AutodiffData</c> items make the same C symbol.</summary>
    public const string DataDuplicateSymbol = "AD4505";

    /// <summary><c>-t:Flash</c>: the flasher the board names (or <c>AutodiffFlasher</c>) was not found.</summary>
    public const string FlasherMissing = "AD4406";

    /// <summary><c>-t:Flash</c>: the flasher exited with a non-zero code.</summary>
    public const string FlashFailed = "AD4407";

    /// <summary><c>-t:Flash</c> on a board that names no flasher and no <c>AutodiffFlasher</c> was given.</summary>
    public const string NoFlasher = "AD4408";

    /// <summary>An unexpected failure inside an SDK task (a bug in Autodiff; reported instead of crashing MSBuild).</summary>
    public const string InternalError = "AD4999";
}
