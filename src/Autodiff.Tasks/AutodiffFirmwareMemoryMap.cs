using System.Globalization;
using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Planning;
using Autodiff.Engine.Report;
using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// Writes the firmware report (<c>firmware.report.html</c>): the board's whole RAM as the linked Arm
/// image uses it, with every model's arena at its address from the image's symbol table and its
/// buffers from the plan kept in the model's manifest. Always writes (atomically), so the file's time
/// records that it describes the current image; the target decides when to run.
/// </summary>
public sealed class AutodiffFirmwareMemoryMap : AutodiffTask
{
    /// <summary>The linked ELF image.</summary>
    [Required] public string Image { get; set; } = "";

    /// <summary>Prepared models with <c>ManifestFile</c>, <c>RamBudget</c> and <c>RamReserve</c> metadata.</summary>
    [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Board name.</summary>
    [Required] public string Board { get; set; } = "";

    /// <summary>The resolved <c>board.yaml</c> (<c>AutodiffBoardFile</c>), whose reading <see cref="AutodiffResolveBoard"/> kept for the build.</summary>
    [Required] public string BoardFile { get; set; } = "";

    /// <summary>Folders holding board folders, searched in order.</summary>
    [Required] public string[] BoardsDirectories { get; set; } = Array.Empty<string>();

    /// <summary>The report to write.</summary>
    [Required] public string OutputFile { get; set; } = "";

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        var board = ResolvedBoard.Get(BuildEngine, Log, BoardFile, BoardsDirectories);
        if (board is null) return false;

        ElfFile image;
        try
        {
            image = ElfFile.Read(Image);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Log.LogWarning(null, SdkDiagnosticCodes.ImageUnreadable, null, Image, 0, 0, 0, 0,
                "cannot draw the firmware report's memory map: {0}", e.Message);
            return true;
        }

        var models = new List<(string Name, ArenaLayout Layout)>();
        foreach (var model in Models)
        {
            // Generation wrote the manifest in this build or an earlier one; a model without one failed and said why.
            if (ModelManifest.TryRead(model.GetMetadata("ManifestFile")) is { Arena: { } arena } manifest)
                models.Add((manifest.ModelName, arena));
        }

        var memory = FirmwareRamLayout.Measure(image, Path.GetFileName(Image), board, SharedBudget(board), models);
        try
        {
            AtomicFile.Write(OutputFile, FirmwareReportWriter.Html(memory));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, SdkDiagnosticCodes.WriteFailed, null, OutputFile, 0, 0, 0, 0, "cannot write the firmware report: {0}", e.Message);
            return false;
        }
        return true;
    }

    /// <summary>
    /// The budget line of the whole firmware: the models' budget when they share one (the usual case,
    /// from AutodiffRamBudget/AutodiffRamReserve), else the board's own.
    /// </summary>
    private Budget SharedBudget(BoardSpec board)
    {
        var settings = Models.Select(ModelOptions.FromPrepared).Select(o => (o.RamBudget, o.RamReserve)).Distinct().ToList();
        if (settings.Count != 1) return Budget.For(board, null, null);
        return Budget.For(board, settings[0].RamBudget, settings[0].RamReserve);
    }
}
