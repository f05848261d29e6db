using System.Security.Cryptography;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Gives every C source its object and dependency file under the object folder, mirroring where the
/// source lives (project, generated, kernels, board) so names never collide, and collects the headers
/// recorded by earlier compilations so the compile target can tell whether anything changed.
/// </summary>
public sealed class AutodiffPlanCompilation : AutodiffTask
{
    /// <summary>All C sources of the firmware: project, generated, kernel and board sources.</summary>
    [Required] public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Folder for object and dependency files (per configuration and board).</summary>
    [Required] public string ObjectDirectory { get; set; } = "";

    /// <summary>Folder the compiler runs in; relative paths in dependency files resolve against it.</summary>
    [Required] public string WorkingDirectory { get; set; } = "";

    /// <summary>
    /// Folders whose files keep their relative layout under the object folder, each as an item whose
    /// <c>Prefix</c> metadata names its sub-folder (e.g. the project folder as <c>src</c>).
    /// </summary>
    public ITaskItem[] SourceRoots { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The sources with <c>ObjectFile</c> and <c>DependencyFile</c> metadata.</summary>
    [Output] public ITaskItem[] CompileItems { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>Headers and sources named in existing dependency files, for the compile target's Inputs.</summary>
    [Output] public ITaskItem[] RecordedDependencies { get; private set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var roots = SourceRoots
            .Select(r => (Directory: EnsureTrailingSeparator(Path.GetFullPath(r.ItemSpec)), Prefix: r.GetMetadata("Prefix")))
            .OrderByDescending(r => r.Directory.Length) // most specific folder wins
            .ToList();
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var seenSources = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var items = new List<ITaskItem>();
        var dependencies = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var source in Sources)
        {
            var fullPath = source.GetMetadata("FullPath");
            if (!seenSources.Add(fullPath)) continue;

            string relative;
            var root = roots.FirstOrDefault(r => fullPath.StartsWith(r.Directory, comparison));
            if (root.Directory is not null)
                relative = Path.Combine(root.Prefix, fullPath[root.Directory.Length..]);
            else
                relative = Path.Combine("external", Path.GetFileNameWithoutExtension(fullPath) + "-" + ShortHash(fullPath) + Path.GetExtension(fullPath));

            var objectBase = Path.Combine(Path.GetFullPath(ObjectDirectory), relative);
            var item = MsBuildEscaping.Item(fullPath);
            source.CopyMetadataTo(item);
            item.SetLiteralMetadata("ObjectFile", objectBase + ".o");
            item.SetLiteralMetadata("DependencyFile", objectBase + ".d");
            items.Add(item);

            foreach (var dependency in MakeDependencyFile.ReadPrerequisites(objectBase + ".d"))
                dependencies.Add(Path.GetFullPath(dependency, Path.GetFullPath(WorkingDirectory)));
        }

        CompileItems = items.ToArray();
        RecordedDependencies = dependencies.Select(d => (ITaskItem)MsBuildEscaping.Item(d)).ToArray();
        return true;
    }

    private static string EnsureTrailingSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;

    private static string ShortHash(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8].ToLowerInvariant();
}
