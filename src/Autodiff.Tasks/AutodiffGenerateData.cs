using Autodiff.Tasks.Data;
using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// Turns prepared <c>AutodiffData</c> items (see <see cref="AutodiffPrepareData"/>) into C: a header
/// declaring a <c>const</c> array and its size macros, and a source file defining it. The header is
/// written only when its text changes; the source always, as the record that the item was generated.
/// Both are written atomically.
/// </summary>
public sealed class AutodiffGenerateData : AutodiffTask
{
    /// <summary>Prepared items: SourceFile, HeaderFile and the layout metadata.</summary>
    public ITaskItem[] Data { get; set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        foreach (var item in Data)
        {
            var file = item.GetMetadata("FullPath");
            var layout = DataLayout.FromItem(item, Log, BuildEngine?.ProjectFileOfTaskNode);
            if (layout is null) continue;
            var data = NpyData.Read(file, out var problem);
            if (data is null)
            {
                Log.LogError(null, File.Exists(file) ? SdkDiagnosticCodes.DataUnreadable : SdkDiagnosticCodes.DataFileMissing,
                    null, file, 0, 0, 0, 0, "AutodiffData '{0}' {1}", item.ItemSpec, problem);
                continue;
            }
            var output = DataEmitter.Emit(data, layout, item.ItemSpec, out problem);
            if (output is null)
            {
                Log.LogError(null, SdkDiagnosticCodes.DataNotRepresentable, null, file, 0, 0, 0, 0, "AutodiffData '{0}' {1}", item.ItemSpec, problem);
                continue;
            }
            try
            {
                AtomicFile.WriteIfChanged(item.GetMetadata("HeaderFile"), output.Header);
                AtomicFile.Write(item.GetMetadata("SourceFile"), output.Source);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.LogError(null, SdkDiagnosticCodes.WriteFailed, null, file, 0, 0, 0, 0,
                    "cannot write the C of AutodiffData '{0}': {1}", item.ItemSpec, e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }
}
