namespace Autodiff.Tool;

/// <summary>
/// Codes of the diagnostics the <c>autodiff</c> tool itself reports; the model's and the board's
/// problems keep the engine's codes.
/// </summary>
public static class ToolDiagnosticCodes
{
    /// <summary>An option has an invalid value (<c>--kernels</c>, <c>--ram-budget</c>, …).</summary>
    public const string InvalidOption = "AD4601";

    /// <summary>The model file named on the command line does not exist.</summary>
    public const string ModelFileMissing = "AD4602";

    /// <summary>Generated files could not be written to <c>--out</c>.</summary>
    public const string WriteFailed = "AD4603";

    /// <summary>The boards or kernels folder is not beside the tool (a broken install).</summary>
    public const string InstallIncomplete = "AD4604";
}
