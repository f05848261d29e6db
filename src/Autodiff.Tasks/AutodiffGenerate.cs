using System.Globalization;
using Autodiff.Engine;
using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Compiles model files to C with the engine. Each model's files go to
/// <c>GeneratedDirectory/&lt;model name&gt;/</c>, written atomically and only when their content changed;
/// then its manifest is written, which marks the model as up to date. A model with errors gets
/// no files and no manifest, so the next build tries it again.
/// </summary>
public sealed class AutodiffGenerate : AutodiffTask
{
    /// <summary>Prepared models (see <see cref="AutodiffPrepareModels"/>), with <c>ManifestFile</c>, <c>SettingsFile</c> and their settings (<see cref="ModelOptions"/>).</summary>
    [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Folder that receives one sub-folder of generated C per model.</summary>
    [Required] public string GeneratedDirectory { get; set; } = "";

    /// <summary>Board name.</summary>
    [Required] public string Board { get; set; } = "";

    /// <summary>The resolved <c>board.yaml</c> (<c>AutodiffBoardFile</c>), whose reading <see cref="AutodiffResolveBoard"/> kept for the build.</summary>
    [Required] public string BoardFile { get; set; } = "";

    /// <summary>Folders holding board folders, searched in order.</summary>
    [Required] public string[] BoardsDirectories { get; set; } = Array.Empty<string>();

    /// <summary>The SDK's <c>kernels</c> folder (<c>AutodiffKernelsDirectory</c>), where the engine looks up which families have CMSIS kernels.</summary>
    public string? KernelsDirectory { get; set; }

    /// <summary>The CMSIS-NN root as <see cref="AutodiffPrepareModels"/> resolved it (absolute, found), or empty for none.</summary>
    public string? CmsisNnRoot { get; set; }

    /// <summary>The CMSIS-DSP root as resolved, or empty for none.</summary>
    public string? CmsisDspRoot { get; set; }

    /// <summary>The CMSIS Core include folder as resolved, or empty for none.</summary>
    public string? CmsisCoreRoot { get; set; }

    /// <summary>Every C, header, report (<c>NAME.report.html</c>) and <c>NAME.dot</c> file written or confirmed by this run.</summary>
    [Output] public ITaskItem[] GeneratedFiles { get; private set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var board = ResolvedBoard.Get(BuildEngine, Log, BoardFile, BoardsDirectories);
        if (board is null) return false;

        var generated = new List<ITaskItem>();
        foreach (var model in Models) GenerateOne(model, board, generated);
        GeneratedFiles = generated.ToArray();
        return !Log.HasLoggedErrors;
    }

    private void GenerateOne(ITaskItem model, BoardSpec board, List<ITaskItem> generated)
    {
        var modelPath = model.GetMetadata("FullPath");
        var manifestFile = model.GetMetadata("ManifestFile");
        // A stale manifest must not survive a failed run, or the failure would look up to date.
        if (File.Exists(manifestFile)) File.Delete(manifestFile);

        if (!File.Exists(modelPath))
        {
            Log.LogError(null, SdkDiagnosticCodes.ModelFileMissing, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                "model file '{0}' does not exist", model.GetMetadata("OriginalItemSpec") is { Length: > 0 } spec ? spec : modelPath);
            return;
        }

        // Hashed before the engine reads the model: a save during generation then shows up as a
        // different hash on the next build instead of being hidden by the manifest's newer time.
        var modelHash = GenerationInputs.HashFile(modelPath);

        var options = ModelOptions.FromPrepared(model);
        var request = new CompileRequest(
            modelPath,
            board,
            options.Kernels,
            options.RamBudget,
            options.RamReserve)
        {
            KernelsDirectory = NullIfEmpty(KernelsDirectory),
            // Used as they are: an empty root is one the build did not find, not one to look for again.
            ResolvedCmsis = new CmsisRoots(NullIfEmpty(CmsisDspRoot), NullIfEmpty(CmsisNnRoot), NullIfEmpty(CmsisCoreRoot)),
            // Lets the engine name the HTML report's path on the report line and in AD3001.
            GeneratedDirectory = Path.GetFullPath(GeneratedDirectory),
            FuseUpdates = options.FuseUpdates,
            LoadOptions = new LoadOptions { TrainAll = options.TrainAll, Quantize = options.Quantize },
        };

        CompileResult result;
        try
        {
            result = ModelCompiler.Compile(request);
        }
        catch (Exception e)
        {
            Log.LogError(null, SdkDiagnosticCodes.InternalError, null, DiagnosticLogging.ShownFile(modelPath), 0, 0, 0, 0,
                "the Autodiff engine failed unexpectedly on this model: {0}", e.ToString());
            return;
        }

        // Notes (info) of a successful model go to its manifest and are printed on every build, once
        // per code, by AutodiffReadModelManifests; errors and warnings are printed here.
        foreach (var diagnostic in result.Diagnostics)
        {
            if (!result.Succeeded || diagnostic.Severity != Severity.Info) Log.LogDiagnostic(diagnostic, modelPath);
        }
        if (!result.Succeeded)
        {
            WriteReportOfFailedModel(result, modelPath);
            return;
        }
        if (string.IsNullOrEmpty(result.ModelName))
        {
            Log.LogError(null, SdkDiagnosticCodes.InternalError, null, DiagnosticLogging.ShownFile(modelPath), 0, 0, 0, 0, "the engine returned no model name");
            return;
        }

        var outputDirectory = Path.Combine(Path.GetFullPath(GeneratedDirectory), result.ModelName);
        var written = new List<string>();
        try
        {
            Directory.CreateDirectory(outputDirectory);
            foreach (var file in result.Files)
            {
                var path = Path.GetFullPath(Path.Combine(outputDirectory, file.RelativePath));
                var changed = AtomicFile.WriteIfChanged(path, file.Content);
                Log.LogMessage(MessageImportance.Low, changed ? "Autodiff: wrote {0}" : "Autodiff: {0} unchanged", path);
                written.Add(path);
            }
            RemoveLeftovers(outputDirectory, written);

            var inputFiles = result.InputFiles.Select(Path.GetFullPath).Append(modelPath).Distinct().ToList();
            var manifest = new ModelManifest(
                modelPath,
                result.ModelName,
                outputDirectory,
                written,
                result.KernelSources,
                inputFiles,
                result.ReportLines,
                result.IncludeDirectories,
                result.Defines)
            {
                Notes = result.Diagnostics.Where(d => d.Severity == Severity.Info).Select(d => ManifestNote.From(d, modelPath)).ToList(),
                InputsHash = GenerationInputs.Compute(modelHash,
                    inputFiles.Where(f => !string.Equals(f, modelPath, StringComparison.Ordinal)),
                    model.GetMetadata("SettingsFile"), KernelsDirectory),
                Arena = result.Arena,
            };
            AtomicFile.Write(manifestFile, manifest.ToJson());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, SdkDiagnosticCodes.WriteFailed, null, DiagnosticLogging.ShownFile(modelPath), 0, 0, 0, 0,
                "cannot write generated files to '{0}': {1}", outputDirectory, e.Message);
            return;
        }

        generated.AddRange(written.Select(p => (ITaskItem)MsBuildEscaping.Item(p)));
    }

    /// <summary>
    /// A model over its RAM budget (AD3001) gets no C and no manifest, so the next build tries again;
    /// its HTML report and .dot file are still written, since they show why and the error names them.
    /// </summary>
    private void WriteReportOfFailedModel(CompileResult result, string modelPath)
    {
        if (result.ReportFiles.Count == 0 || string.IsNullOrEmpty(result.ModelName)) return;
        var outputDirectory = Path.Combine(Path.GetFullPath(GeneratedDirectory), result.ModelName);
        try
        {
            Directory.CreateDirectory(outputDirectory);
            foreach (var file in result.ReportFiles)
                AtomicFile.WriteIfChanged(Path.GetFullPath(Path.Combine(outputDirectory, file.RelativePath)), file.Content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, SdkDiagnosticCodes.WriteFailed, null, DiagnosticLogging.ShownFile(modelPath), 0, 0, 0, 0,
                "cannot write the report to '{0}': {1}", outputDirectory, e.Message);
        }
    }

    /// <summary>
    /// Deletes generated files (C, header, report, .dot) from an earlier run that this run no longer
    /// produces, so stale C is not compiled and a stale report is not mistaken for the current one.
    /// </summary>
    private static void RemoveLeftovers(string outputDirectory, IReadOnlyCollection<string> keep)
    {
        foreach (var file in Directory.EnumerateFiles(outputDirectory))
        {
            var extension = Path.GetExtension(file);
            if ((extension is ".c" or ".h" or ".html" or ".dot") && !keep.Contains(Path.GetFullPath(file))) File.Delete(file);
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
