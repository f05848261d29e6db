using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Writes the raw binary (<c>.bin</c>) or Intel HEX (<c>.hex</c>) of a firmware image with objcopy. A task rather than Exec so
/// that, like the compiler and linker, objcopy writes to a temporary name published only when it
/// succeeded: a killed objcopy must not leave a short <c>.bin</c> that later builds take as current.
/// </summary>
public sealed class AutodiffObjcopy : GccToolTask
{
    /// <summary>The ELF image to convert.</summary>
    [Required] public string Image { get; set; } = "";

    /// <summary>The file to write.</summary>
    [Required] public string OutputFile { get; set; } = "";

    /// <summary>objcopy's output format: <c>binary</c> (the default) or <c>ihex</c>.</summary>
    public string Format { get; set; } = "binary";

    /// <inheritdoc />
    protected override string MessageCode => SdkDiagnosticCodes.ObjcopyFailed;

    /// <inheritdoc />
    protected override string FailureCode => SdkDiagnosticCodes.ObjcopyFailed;

    /// <inheritdoc />
    protected override IEnumerable<string> OutputFiles => new[] { OutputFile };

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        builder.AppendSwitch("-O");
        builder.AppendSwitch(string.IsNullOrWhiteSpace(Format) ? "binary" : Format);
        builder.AppendSwitch(AutodiffCompileC.Quote(Image));
        builder.AppendSwitch(AutodiffCompileC.Quote(Staged(OutputFile)));
        return builder.ToString();
    }
}
