using Autodiff.Tasks.Data;
using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// Converts an IDX file (the MNIST family's format, plain or <c>.gz</c>) to a NumPy <c>.npy</c> file
/// with the same shape and element type, which an <c>AutodiffData</c> item can then put into flash:
/// <code>&lt;AutodiffIdxToNpy Source="t10k-images-idx3-ubyte.gz" Destination="$(IntermediateOutputPath)images.npy" /&gt;</code>
/// The destination is written atomically. Use it in a target with Inputs and Outputs, so it runs
/// only when the IDX file changed.
/// </summary>
public sealed class AutodiffIdxToNpy : AutodiffTask
{
    /// <summary>The IDX file, gzip-compressed or not.</summary>
    [Required]
    public string Source { get; set; } = "";

    /// <summary>The <c>.npy</c> file to write.</summary>
    [Required]
    public string Destination { get; set; } = "";

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var array = IdxFile.Read(Source, out var problem);
        if (array is not { } idx)
        {
            Log.LogError(null, File.Exists(Source) ? SdkDiagnosticCodes.DataUnreadable : SdkDiagnosticCodes.DataFileMissing,
                null, Source, 0, 0, 0, 0, "IDX file '{0}' {1}", Source, problem);
            return false;
        }
        try
        {
            AtomicFile.Write(Destination, NpyWriter.ToBytes(idx.Descr, idx.Shape, idx.Data));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, SdkDiagnosticCodes.WriteFailed, null, Destination, 0, 0, 0, 0, "cannot write '{0}': {1}", Destination, e.Message);
            return false;
        }
        return true;
    }
}
