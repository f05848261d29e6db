using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// After Clean has deleted the files the build wrote (FileWrites), removes the SDK's folders that this
/// left empty, deepest first. A folder that still holds anything (a file the user put there, another
/// board's objects) stays with its contents, which is why this replaces deleting the folders whole.
/// </summary>
public sealed class AutodiffRemoveEmptyFolders : AutodiffTask
{
    /// <summary>The SDK's output folders (generated C, state, objects, firmware, data).</summary>
    public string[] Folders { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        foreach (var folder in Folders.Where(f => !string.IsNullOrWhiteSpace(f)))
            RemoveIfEmpty(Path.GetFullPath(folder));
        return true;
    }

    private void RemoveIfEmpty(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var child in Directory.EnumerateDirectories(folder)) RemoveIfEmpty(child);
        if (Directory.EnumerateFileSystemEntries(folder).Any()) return;
        try
        {
            Directory.Delete(folder);
            Log.LogMessage(MessageImportance.Low, "Autodiff: removed the empty folder {0}", folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something appeared in it, or it is in use: it is left, as anything not the SDK's would be.
            Log.LogMessage(MessageImportance.Low, "Autodiff: kept {0}: {1}", folder, e.Message);
        }
    }
}
