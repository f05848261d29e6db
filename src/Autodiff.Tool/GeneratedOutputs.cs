using Autodiff.Engine;
using Autodiff.Tasks;

namespace Autodiff.Tool;

/// <summary>Writes one model's generated files, its dependency file and its kernel list, each atomically.</summary>
public static class GeneratedOutputs
{
    /// <summary>
    /// The C, header, reports, <c>NAME.d</c> and <c>NAME.kernels.txt</c> in <paramref name="modelDirectory"/>.
    /// <paramref name="targetPrefix"/> is the same folder as the caller named it (relative to the build
    /// folder when CMake runs the tool): Ninja compares the dependency file's targets with its outputs as text.
    /// </summary>
    public static void WriteAll(string modelDirectory, string targetPrefix, CompileResult result, string modelPath, string kernelsDirectory)
    {
        Directory.CreateDirectory(modelDirectory);
        var written = new List<string>();
        var now = DateTime.UtcNow;
        foreach (var file in result.Files)
        {
            var path = Path.GetFullPath(Path.Combine(modelDirectory, file.RelativePath));
            // Unchanged content is still stamped: the build system ran us because an input is newer
            // than the outputs, and outputs left older would make it run us again on every build.
            if (!AtomicFile.WriteIfChanged(path, file.Content)) File.SetLastWriteTimeUtc(path, now);
            written.Add(path);
        }
        RemoveLeftovers(modelDirectory, written);

        var name = result.ModelName!;
        var inputs = result.InputFiles.Select(Path.GetFullPath).Prepend(modelPath).Distinct(StringComparer.Ordinal);
        var targets = new[] { name + ".c", name + ".h" }.Select(f => Path.Combine(targetPrefix, f));
        AtomicFile.Write(Path.Combine(modelDirectory, name + ".d"), DependencyFile.Format(targets, inputs));

        var sources = result.KernelSources.Select(s => Path.GetFullPath(Path.Combine(kernelsDirectory, s)));
        var includes = result.IncludeDirectories.Select(Path.GetFullPath).Prepend(Path.Combine(kernelsDirectory, "portable"));
        // Written only when changed: CMake reconfigures when this list changes, not on every model edit.
        AtomicFile.WriteIfChanged(Path.Combine(modelDirectory, name + ".kernels.txt"), KernelListFile.Format(sources, includes, result.Defines));
    }

    /// <summary>The HTML report and <c>.dot</c> graph only (<c>autodiff report</c>, or a model over budget).</summary>
    public static void WriteReport(string modelDirectory, CompileResult result)
    {
        if (result.ReportFiles.Count == 0) return;
        Directory.CreateDirectory(modelDirectory);
        foreach (var file in result.ReportFiles)
            AtomicFile.WriteIfChanged(Path.GetFullPath(Path.Combine(modelDirectory, file.RelativePath)), file.Content);
    }

    /// <summary>Deletes C, headers and reports this run no longer produces, so stale C is not compiled.</summary>
    private static void RemoveLeftovers(string modelDirectory, IReadOnlyCollection<string> keep)
    {
        foreach (var file in Directory.EnumerateFiles(modelDirectory))
        {
            if (Path.GetExtension(file) is ".c" or ".h" or ".html" or ".dot" && !keep.Contains(Path.GetFullPath(file))) File.Delete(file);
        }
    }
}
