using Autodiff.Engine;
using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Autodiff.Tasks;

namespace Autodiff.Tool;

/// <summary>What a command asks of one model: the engine's inputs and where results go.</summary>
public sealed record ModelRunOptions(
    string ModelPath,
    string Board,
    KernelChoice Kernels,
    IReadOnlyList<string> BoardsDirectories,
    long? RamBudget,
    long? RamReserve,
    string? CmsisNnRoot,
    string? CmsisDspRoot,
    string? CmsisCoreRoot);

/// <summary>What the command writes: nothing (check), the report only, or the C and everything a build needs.</summary>
public enum RunOutput { None, Report, Generate }

/// <summary>
/// Runs the engine on one model the way the SDK's AutodiffGenerate task does, and writes its files
/// under <c>OUT/NAME/</c>. Returns the process exit code: 0, or 1 when anything was an error.
/// </summary>
public static class ModelRun
{
    public static int Run(ModelRunOptions options, RunOutput output, string? outDirectory)
    {
        var modelPath = Path.GetFullPath(options.ModelPath);
        if (!File.Exists(modelPath))
        {
            DiagnosticPrinter.Error(ToolDiagnosticCodes.ModelFileMissing, $"model file '{options.ModelPath}' does not exist", modelPath);
            return 1;
        }
        // The user's board folders come first, so a custom board can shadow a shipped one.
        var boardsDirectories = options.BoardsDirectories.Select(Path.GetFullPath).ToList();
        if (ToolPaths.BoardsDirectory is { } shipped) boardsDirectories.Add(shipped);
        var kernelsDirectory = ToolPaths.KernelsDirectory;
        if (kernelsDirectory is null || boardsDirectories.Count == 0)
        {
            DiagnosticPrinter.Error(ToolDiagnosticCodes.InstallIncomplete,
                $"the tool's boards/ or kernels/ folder is missing beside {ToolPaths.BaseDirectory}; reinstall the tool", null);
            return 1;
        }

        var bag = new DiagnosticBag();
        var board = BoardCatalog.Load(boardsDirectories, options.Board, bag);
        DiagnosticPrinter.Print(bag.Items, modelPath);
        if (board is null) return 1;

        var outRoot = outDirectory is null ? null : Path.GetFullPath(outDirectory);
        var result = ModelCompiler.Compile(new CompileRequest(modelPath, board, options.Kernels, options.RamBudget, options.RamReserve,
            options.CmsisNnRoot, options.CmsisDspRoot)
        {
            KernelsDirectory = kernelsDirectory,
            CmsisCoreRoot = options.CmsisCoreRoot,
            // Lets the engine name the HTML report's path on the report line and in AD3001.
            GeneratedDirectory = output == RunOutput.None ? null : outRoot,
        });
        DiagnosticPrinter.Print(result.Diagnostics, modelPath);
        if (output == RunOutput.None || outRoot is null) return result.Succeeded ? 0 : 1;
        if (string.IsNullOrEmpty(result.ModelName)) return 1;

        var modelDirectory = Path.Combine(outRoot, result.ModelName);
        try
        {
            if (!result.Succeeded)
            {
                // An over-budget model (AD3001) still gets its report, which the error names.
                GeneratedOutputs.WriteReport(modelDirectory, result);
                return 1;
            }
            if (output == RunOutput.Report) GeneratedOutputs.WriteReport(modelDirectory, result);
            else GeneratedOutputs.WriteAll(modelDirectory, Path.Combine(outDirectory!, result.ModelName), result, modelPath, kernelsDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DiagnosticPrinter.Error(ToolDiagnosticCodes.WriteFailed, $"cannot write generated files to '{modelDirectory}': {e.Message}", modelPath);
            return 1;
        }
        foreach (var line in result.ReportLines) Console.WriteLine(line);
        return 0;
    }
}
