using Autodiff.Engine.Model;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Runs on every build after generation (whether it ran or was up to date) and turns the models'
/// manifests into what the rest of the build needs: C sources to compile, include folders, kernel
/// sources with the include folders and definitions they need, and the per-model report lines, which it prints.
/// </summary>
public sealed class AutodiffReadModelManifests : AutodiffTask
{
    /// <summary>Prepared models with <c>ManifestFile</c> metadata.</summary>
    [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The SDK's <c>kernels</c> folder; relative kernel source paths resolve against it.</summary>
    [Required] public string KernelsDirectory { get; set; } = "";

    /// <summary>Generated <c>.c</c> files of every model.</summary>
    [Output] public ITaskItem[] GeneratedSources { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>Every generated file (C and headers), for incremental inputs and cleaning.</summary>
    [Output] public ITaskItem[] GeneratedFiles { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>Folders holding generated headers, for the include path.</summary>
    [Output] public string[] IncludeDirectories { get; private set; } = Array.Empty<string>();

    /// <summary>Include folders the kernel sources need (CMSIS trees), each once; empty with portable kernels.</summary>
    [Output] public string[] KernelIncludeDirectories { get; private set; } = Array.Empty<string>();

    /// <summary>Preprocessor definitions (<c>NAME</c> or <c>NAME=VALUE</c>) the kernel sources need, each once.</summary>
    [Output] public string[] KernelDefines { get; private set; } = Array.Empty<string>();

    /// <summary>
    /// Kernel C sources the models need, each once, as absolute paths; the CMSIS sources (outside the
    /// kernels folder) have <c>AutodiffCmsisSource</c> metadata <c>true</c>.
    /// </summary>
    [Output] public ITaskItem[] KernelSources { get; private set; } = Array.Empty<ITaskItem>();

    /// <summary>The models' budget report lines, in model order.</summary>
    [Output] public string[] ReportLines { get; private set; } = Array.Empty<string>();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var sources = new List<ITaskItem>();
        var files = new List<ITaskItem>();
        var includes = new List<string>();
        var kernels = new List<string>(); // as the manifests list them, every model's
        var kernelIncludes = new List<string>();
        var kernelDefines = new List<string>();
        var report = new List<string>();
        var notes = new List<ManifestNote>();
        var modelNames = new Dictionary<string, (string ModelFile, string ManifestFile)>(StringComparer.Ordinal);

        foreach (var model in Models)
        {
            var manifestFile = model.GetMetadata("ManifestFile");
            var manifest = ModelManifest.TryRead(manifestFile);
            if (manifest is null) continue; // generation failed and said why
            if (modelNames.TryGetValue(manifest.ModelName, out var other))
            {
                Log.LogError(null, SdkDiagnosticCodes.DuplicateModelName, null, DiagnosticLogging.ShownFile(manifest.ModelFile), 0, 0, 0, 0,
                    "model name '{0}' is also used by '{1}'; generated C names must be unique per firmware", ModelNames.Printable(manifest.ModelName), other.ModelFile);
                // Both wrote into the same folder, so neither's files can be trusted: both regenerate next time.
                File.Delete(manifestFile);
                File.Delete(other.ManifestFile);
                continue;
            }
            modelNames.Add(manifest.ModelName, (manifest.ModelFile, manifestFile));

            includes.Add(manifest.OutputDirectory);
            foreach (var file in manifest.GeneratedFiles)
            {
                var item = MsBuildEscaping.Item(file);
                item.SetMetadata("AutodiffModelName", manifest.ModelName);
                files.Add(item);
                if (string.Equals(Path.GetExtension(file), ".c", StringComparison.OrdinalIgnoreCase)) sources.Add(item);
            }
            kernels.AddRange(manifest.KernelSources);
            // One note per code for the whole build, however many models share it (AD5003 says once how to enable CMSIS).
            foreach (var note in manifest.Notes ?? [])
                if (!notes.Exists(n => n.Code == note.Code)) notes.Add(note);
            foreach (var include in manifest.CompileIncludeDirectories ?? [])
                if (!kernelIncludes.Contains(include)) kernelIncludes.Add(include);
            foreach (var define in manifest.CompileDefines ?? [])
                if (!kernelDefines.Contains(define)) kernelDefines.Add(define);
            report.AddRange(manifest.ReportLines);
        }

        var firmwareKernels = FirmwareKernels.Unify(kernels, out var kernelChanges);
        foreach (var change in kernelChanges)
            LogReport($"Autodiff: kernel family '{change.Family}' is {change.Chosen} for every model of this firmware " +
                      $"(one implementation per family links; models that chose {string.Join(" or ", change.Replaced)} run it too)");
        foreach (var note in notes)
            Log.LogMessage(null, note.Code, null, note.File, note.Line, note.Column, 0, 0, MessageImportance.High, "{0}", note.Message);
        foreach (var line in report) LogReport(line);

        GeneratedSources = sources.ToArray();
        GeneratedFiles = files.ToArray();
        IncludeDirectories = includes.ToArray();
        KernelIncludeDirectories = kernelIncludes.ToArray();
        KernelDefines = kernelDefines.ToArray();
        KernelSources = firmwareKernels
            .Select(k => Path.GetFullPath(Path.IsPathRooted(k) ? k : Path.Combine(KernelsDirectory, k)))
            .Distinct()
            .Select(k => (ITaskItem)KernelSource(k)).ToArray();
        ReportLines = report.ToArray();
        return !Log.HasLoggedErrors;
    }

    private TaskItem KernelSource(string path)
    {
        var item = MsBuildEscaping.Item(path);
        var kernelsFolder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(KernelsDirectory)) + Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        item.SetMetadata("AutodiffCmsisSource", path.StartsWith(kernelsFolder, comparison) ? "false" : "true");
        return item;
    }
}
