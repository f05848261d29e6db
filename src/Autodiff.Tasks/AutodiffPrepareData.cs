using Autodiff.Tasks.Data;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// First step for <c>AutodiffData</c> items, on every build: checks each item's metadata, names its
/// C symbol and generated files, and records the settings that decide them in a file that changes
/// only when they do, so the batched generation target regenerates exactly the items whose file,
/// settings or SDK changed. Files of items no longer in the project are deleted, so a stale header
/// cannot be included by mistake.
/// </summary>
public sealed class AutodiffPrepareData : AutodiffTask
{
    /// <summary>The <c>AutodiffData</c> items: metadata Symbol, ElementType, Pack, Threshold, First, Count.</summary>
    public ITaskItem[] Data { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Folder of the generated headers, sources and settings files.</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The items with SourceFile, HeaderFile, SettingsFile and Symbol metadata added.</summary>
    [Output]
    public ITaskItem[] PreparedData { get; private set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var prepared = new List<ITaskItem>();
        var bySymbol = new Dictionary<string, string>(StringComparer.Ordinal);
        var directory = Path.GetFullPath(OutputDirectory);
        foreach (var item in Data)
        {
            var file = item.GetMetadata("FullPath");
            var layout = DataLayout.FromItem(item, Log, BuildEngine?.ProjectFileOfTaskNode);
            if (layout is null) continue;
            // Headers are found by name on one include path, and C symbols share one namespace.
            if (bySymbol.TryGetValue(layout.Symbol, out var other))
            {
                Log.LogError(null, SdkDiagnosticCodes.DataDuplicateSymbol, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                    "AutodiffData '{0}' and '{1}' both make the C symbol '{2}'; give one of them another Symbol", other, item.ItemSpec, layout.Symbol);
                continue;
            }
            bySymbol[layout.Symbol] = item.ItemSpec;

            var source = Path.Combine(directory, layout.Symbol + ".c");
            var header = Path.Combine(directory, layout.Symbol + ".h");
            var settings = Path.Combine(directory, layout.Symbol + ".settings");
            AtomicFile.WriteIfChanged(settings, layout.Settings(file));
            // The target's outputs are the source alone (the header keeps its timestamp when unchanged,
            // so the C that includes it does not recompile); without its header, regenerate both.
            if (!File.Exists(header) && File.Exists(source)) File.Delete(source);

            var result = new TaskItem(item);
            result.SetMetadata("Symbol", layout.Symbol);
            result.SetMetadata("SourceFile", MsBuildEscaping.Escape(source));
            result.SetMetadata("HeaderFile", MsBuildEscaping.Escape(header));
            result.SetMetadata("SettingsFile", MsBuildEscaping.Escape(settings));
            prepared.Add(result);
        }

        RemoveLeftovers(directory, bySymbol.Keys);
        PreparedData = prepared.ToArray();
        return !Log.HasLoggedErrors;
    }

    private static void RemoveLeftovers(string directory, IEnumerable<string> symbols)
    {
        if (!Directory.Exists(directory)) return;
        var keep = new HashSet<string>(symbols, StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if ((Path.GetExtension(file) is ".c" or ".h" or ".settings") && !keep.Contains(Path.GetFileNameWithoutExtension(file)))
                File.Delete(file);
        }
    }
}
