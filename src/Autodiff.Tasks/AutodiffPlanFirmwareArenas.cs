using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Planning;
using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// Before anything compiles: the arenas of all the firmware's models against one budget (AD3002, with
/// each model's share and what would fit), and on Arm boards the linker script that lays out the models
/// of each <c>ArenaGroup</c> in one arena (<see cref="ArenaGroupScript"/>).
/// </summary>
public sealed class AutodiffPlanFirmwareArenas : AutodiffTask
{
    /// <summary>The project's <c>AutodiffModel</c> items, for where they are defined (AD3002's position).</summary>
    [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Prepared models with <c>ManifestFile</c> metadata (the arena sizes) and their <c>ArenaGroup</c>.</summary>
    [Required] public ITaskItem[] PreparedModels { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Board name (the <c>Board</c> property).</summary>
    [Required] public string Board { get; set; } = "";

    /// <summary>The resolved <c>board.yaml</c> (<c>AutodiffBoardFile</c>), whose reading <see cref="AutodiffResolveBoard"/> kept for the build.</summary>
    [Required] public string BoardFile { get; set; } = "";

    /// <summary>Folders holding board folders, searched in order.</summary>
    [Required] public string[] BoardsDirectories { get; set; } = Array.Empty<string>();

    /// <summary>The <c>AutodiffRamBudget</c> property (already checked by preparation).</summary>
    public string? RamBudget { get; set; }

    /// <summary>The <c>AutodiffRamReserve</c> property (already checked by preparation).</summary>
    public string? RamReserve { get; set; }

    /// <summary>Where the arena group linker script goes; deleted when no group has two models or the board is the host.</summary>
    [Required] public string ScriptFile { get; set; } = "";

    /// <summary><see cref="ScriptFile"/> when it was written, otherwise empty.</summary>
    [Output] public string WrittenScriptFile { get; private set; } = "";

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var board = ResolvedBoard.Get(BuildEngine, Log, BoardFile, BoardsDirectories);
        if (board is null) return false;
        long? budgetBytes = Size(RamBudget), reserveBytes = Size(RamReserve);

        // On the host nothing lays arenas out together, so a group shares nothing there.
        var canShare = board.Toolchain != BoardToolchain.Host;
        var models = new List<FirmwareBudget.Model>();
        foreach (var prepared in PreparedModels)
        {
            var manifest = ModelManifest.TryRead(prepared.GetMetadata("ManifestFile"));
            if (manifest?.Arena is null) continue; // generation failed and said why
            var group = canShare ? ModelOptions.FromPrepared(prepared).ArenaGroup : "";
            models.Add(new FirmwareBudget.Model(manifest.ModelName, manifest.Arena.ArenaBytes, group));
        }

        var problem = models.Count < 2 ? null
            : FirmwareBudget.Check(models, board, Budget.For(board, budgetBytes, reserveBytes), budgetBytes is not null);
        if (problem is not null)
        {
            var (file, line, column) = Position(Models.FirstOrDefault());
            Log.LogError(null, SdkDiagnosticCodes.FirmwareOverBudget, null, file, line, column, 0, 0, "{0}", problem);
            return false;
        }

        var shared = FirmwareBudget.Arenas(models).Where(a => a.Count > 1).ToList();
        if (shared.Count == 0)
        {
            if (File.Exists(ScriptFile)) File.Delete(ScriptFile);
            return true;
        }
        AtomicFile.WriteIfChanged(ScriptFile, ArenaGroupScript.Text(shared));
        WrittenScriptFile = ScriptFile;
        return true;
    }

    private static long? Size(string? text) =>
        !string.IsNullOrWhiteSpace(text) && BoardCatalog.TryParseSize(text, out var value) ? value : null;

    /// <summary>Where the models are listed: the line of the first model's <c>Include</c> in the file that defines it.</summary>
    private static (string? File, int Line, int Column) Position(ITaskItem? model)
    {
        var project = model?.GetMetadata("DefiningProjectFullPath");
        if (model is null || string.IsNullOrEmpty(project) || !File.Exists(project)) return (project, 0, 0);
        var lines = File.ReadAllLines(project);
        var include = model.ItemSpec;
        for (var i = 0; i < lines.Length; i++)
        {
            var at = lines[i].IndexOf(include, StringComparison.Ordinal);
            if (at >= 0 && lines[i].Contains("AutodiffModel", StringComparison.Ordinal))
                return (project, i + 1, lines[i].IndexOf("<AutodiffModel", StringComparison.Ordinal) + 1);
        }
        return (project, 0, 0);
    }
}
