using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Autodiff.Engine;
using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Model;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// Runs on every build, before generation, and is cheap: for each model it records the settings that
/// shape the generated C (board, kernels, budget, fused updates, kernels folder, CMSIS roots as resolved) in a settings file rewritten only when
/// they change, and lists the files the previous generation read (model, weights). Both become
/// per-model inputs of the generation target, so exactly the affected models regenerate.
/// </summary>
public sealed class AutodiffPrepareModels : AutodiffTask
{
    /// <summary>
    /// The <c>AutodiffModel</c> items, with metadata <c>Kernels</c>, <c>RamBudget</c>, <c>RamReserve</c>,
    /// <c>FuseUpdates</c>, <c>TrainAll</c>, <c>Quantize</c> and <c>ArenaGroup</c> (defaults: the properties below,
    /// through the ItemDefinitionGroup in Sdk.props).
    /// </summary>
    [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Folder for settings and manifest files (under the intermediate output path).</summary>
    [Required] public string StateDirectory { get; set; } = "";

    /// <summary>Board name.</summary>
    [Required] public string Board { get; set; } = "";

    /// <summary>
    /// The resolved <c>board.yaml</c>. Its path and a hash of its content go into the settings, so a
    /// board of the same name from another folder (<c>AutodiffBoardsDirectory</c>) regenerates even
    /// when that file is older than the generated C.
    /// </summary>
    public string? BoardFile { get; set; }

    /// <summary>
    /// <c>auto</c>, <c>portable</c>, <c>armv7em</c> or <c>cmsis</c> (the <c>AutodiffKernels</c> property). This and
    /// the other properties are checked even without models, and name the property when wrong.
    /// </summary>
    public string? Kernels { get; set; }

    /// <summary>Model RAM budget for every model (<c>AutodiffRamBudget</c>), bytes or with a K/M/G suffix; empty for the board's.</summary>
    public string? RamBudget { get; set; }

    /// <summary>RAM reserve (<c>AutodiffRamReserve</c>) replacing the board's, bytes or with a K/M/G suffix; empty for the board's.</summary>
    public string? RamReserve { get; set; }

    /// <summary>
    /// <c>true</c> (default when empty) fuses each optimizer update into its gradient kernel; <c>false</c>
    /// stores every gradient and updates afterwards (the <c>AutodiffFuseUpdates</c> property).
    /// </summary>
    public string? FuseUpdates { get; set; }

    /// <summary>
    /// <c>true</c> trains every layer and ignores <c>weights:</c>, <c>quantize:</c> and <c>calibration:</c>
    /// (the <c>AutodiffTrainAll</c> property: pretraining with the device's model file); default <c>false</c>.
    /// </summary>
    public string? TrainAll { get; set; }

    /// <summary><c>false</c> ignores <c>quantize:</c> and <c>calibration:</c> (the <c>AutodiffQuantize</c> property); default <c>true</c>.</summary>
    public string? Quantize { get; set; }

    /// <summary>CMSIS-NN source root, if any.</summary>
    public string? CmsisNnRoot { get; set; }

    /// <summary>CMSIS-DSP source root, if any.</summary>
    public string? CmsisDspRoot { get; set; }

    /// <summary>CMSIS Core include folder, if any (otherwise looked for beside the DSP root).</summary>
    public string? CmsisCoreRoot { get; set; }

    /// <summary>The SDK's <c>kernels</c> folder, which says which kernel families have CMSIS implementations.</summary>
    public string? KernelsDirectory { get; set; }

    /// <summary>The CMSIS-DSP root the engine will use (found and absolute), or empty; the object folder names its sources <c>cmsis-dsp/…</c>.</summary>
    [Output] public string ResolvedCmsisDspRoot { get; private set; } = "";

    /// <summary>The CMSIS-NN root the engine will use (found and absolute), or empty; its sources compile to <c>cmsis-nn/…</c>.</summary>
    [Output] public string ResolvedCmsisNnRoot { get; private set; } = "";

    /// <summary>The CMSIS Core include folder the engine will use (found and absolute), or empty.</summary>
    [Output] public string ResolvedCmsisCoreRoot { get; private set; } = "";

    /// <summary>
    /// The models with metadata for the generation target: <c>ManifestFile</c>, <c>SettingsFile</c>,
    /// <c>Dependencies</c> (files read last time besides the model), and the parsed settings in the
    /// spelling <see cref="ModelOptions.FromPrepared"/> reads.
    /// </summary>
    [Output] public ITaskItem[] PreparedModels { get; private set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var parser = new ModelOptionParser(Log, new Dictionary<string, string?>
        {
            [ModelOptions.KernelsName] = Kernels,
            [ModelOptions.RamBudgetName] = RamBudget,
            [ModelOptions.RamReserveName] = RamReserve,
            [ModelOptions.FuseUpdatesName] = FuseUpdates,
            [ModelOptions.TrainAllName] = TrainAll,
            [ModelOptions.QuantizeName] = Quantize,
        });
        if (!parser.CheckProperties()) return false;

        // Resolved here, once per build (property, else environment variable, Core beside the DSP root):
        // generation hands these to the engine as they are, and the settings record them, so that
        // pointing at another tree, or a tree appearing, regenerates.
        var cmsis = CmsisRoots.Find(CmsisDspRoot, CmsisNnRoot, CmsisCoreRoot);
        ResolvedCmsisDspRoot = cmsis.Dsp ?? "";
        ResolvedCmsisNnRoot = cmsis.Nn ?? "";
        ResolvedCmsisCoreRoot = cmsis.Core ?? "";
        var kernelsDirectory = string.IsNullOrWhiteSpace(KernelsDirectory) ? "" : Path.GetFullPath(KernelsDirectory);

        var boardFile = string.IsNullOrWhiteSpace(BoardFile) ? "" : Path.GetFullPath(BoardFile);
        var boardHash = File.Exists(boardFile) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(boardFile))).ToLowerInvariant() : "";

        if (!CheckModelNamesAreUnique()) return false;

        Directory.CreateDirectory(StateDirectory);
        var prepared = new List<ITaskItem>();
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var model in Models)
        {
            var fullPath = model.GetMetadata("FullPath");
            if (!seen.Add(fullPath)) continue;
            if (parser.Parse(model) is not { } options) continue;
            var kernels = KernelChoices.Name(options.Kernels);
            var usesCmsis = options.Kernels != KernelChoice.Portable;

            var settingsFile = ModelStateFiles.Settings(StateDirectory, fullPath);
            var manifestFile = ModelStateFiles.Manifest(StateDirectory, fullPath);
            var settings = new StringBuilder()
                .AppendLine($"model={fullPath}")
                .AppendLine($"board={Board}")
                .AppendLine($"board-file={boardFile}")
                .AppendLine($"board-sha256={boardHash}")
                .AppendLine($"kernels={kernels}")
                .AppendLine($"budget={options.RamBudget?.ToString(CultureInfo.InvariantCulture) ?? "board"}")
                .AppendLine($"reserve={options.RamReserve?.ToString(CultureInfo.InvariantCulture) ?? "board"}")
                .AppendLine($"fuse-updates={(options.FuseUpdates ? "true" : "false")}")
                .AppendLine($"train-all={(options.TrainAll ? "true" : "false")}")
                .AppendLine($"quantize={(options.Quantize ? "true" : "false")}")
                .AppendLine($"kernels-directory={kernelsDirectory}")
                .AppendLine($"cmsis-nn={(usesCmsis ? cmsis.Nn : "")}")
                .AppendLine($"cmsis-dsp={(usesCmsis ? cmsis.Dsp : "")}")
                .AppendLine($"cmsis-core={(usesCmsis ? cmsis.Core : "")}")
                .ToString();
            AtomicFile.WriteIfChanged(settingsFile, settings);

            var previous = ModelManifest.TryRead(manifestFile);
            var dependencies = previous?.InputFiles
                .Where(f => !string.Equals(Path.GetFullPath(f), fullPath, StringComparison.Ordinal))
                .ToList() ?? new List<string>();
            if (previous is not null && StaleReason(previous, fullPath, dependencies, settingsFile) is { } reason)
            {
                // The manifest no longer describes what is on disk: without it the generation target
                // is out of date for this model, whatever the timestamps say.
                Log.LogMessage(MessageImportance.Normal, "Autodiff: regenerating '{0}': {1}", model.ItemSpec, reason);
                File.Delete(manifestFile);
            }

            var item = MsBuildEscaping.Item(fullPath);
            item.SetLiteralMetadata("OriginalItemSpec", model.ItemSpec);
            item.SetLiteralMetadata("ManifestFile", manifestFile);
            item.SetLiteralMetadata("SettingsFile", settingsFile);
            // A list: each path escaped, so only the separators split it.
            item.SetMetadata("Dependencies", string.Join(";", dependencies.Select(MsBuildEscaping.Escape)));
            options.WriteTo(item);
            prepared.Add(item);
        }
        PreparedModels = prepared.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>Why the previous generation of a model cannot be reused, or null when it can.</summary>
    private string? StaleReason(ModelManifest previous, string modelPath, IEnumerable<string> dependencies, string settingsFile)
    {
        if (previous.GeneratedFiles.FirstOrDefault(f => !File.Exists(f)) is { } missing)
            return $"the generated file '{missing}' is missing";
        var hash = GenerationInputs.Compute(GenerationInputs.HashFile(modelPath), dependencies, settingsFile, KernelsDirectory);
        return string.Equals(hash, previous.InputsHash, StringComparison.Ordinal)
            ? null
            : "its inputs' content differs from what the generated C was made from";
    }

    /// <summary>
    /// Every model's generated C goes to a folder named after its <c>name:</c>. Two models with the
    /// same name are rejected here, before either is generated: otherwise the second would overwrite
    /// the first one's files, and after a rename the first would still count as up to date with the
    /// other model's code in its folder. Models whose name cannot be read are left to the engine.
    /// </summary>
    private bool CheckModelNamesAreUnique()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var unique = true;
        foreach (var model in Models)
        {
            var fullPath = model.GetMetadata("FullPath");
            if (!seen.Add(fullPath)) continue;
            if (ModelNameReader.TryRead(fullPath) is not var (name, line, column)) continue;
            if (names.TryGetValue(name, out var other))
            {
                Log.LogError(null, SdkDiagnosticCodes.DuplicateModelName, null, DiagnosticLogging.ShownFile(fullPath), line, column, 0, 0,
                    "model name '{0}' is also used by '{1}'; generated C names must be unique per firmware", ModelNames.Printable(name), other);
                unique = false;
                continue;
            }
            names.Add(name, fullPath);
        }
        return unique;
    }
}
