using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Lowering;
using Autodiff.Engine.Model;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Planning;
using Autodiff.Engine.Report;

namespace Autodiff.Engine;

/// <summary>
/// The engine's front door: model file → spec → training graph → schedule → memory plan → C.
/// Never throws on bad input; every problem is a diagnostic, and a failed compile returns no files.
/// </summary>
public static class ModelCompiler
{
    public const string InternalErrorCode = "AD2999";

    public static CompileResult Compile(CompileRequest request)
    {
        var diagnostics = new DiagnosticBag();
        var inputs = new List<string>();
        // The engine runs inside MSBuild, whose culture is the user's: generated text must not depend on it.
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        try
        {
            inputs.Add(Path.GetFullPath(request.ModelPath));
            return CompileCore(request, diagnostics, inputs);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            diagnostics.Error(InternalErrorCode, $"internal error in the Autodiff engine while compiling this model: {e.GetType().Name}: {e.Message}",
                new SourceLocation(request.ModelPath, 1, 1));
            return Failed(diagnostics, inputs);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    private static CompileResult CompileCore(CompileRequest request, DiagnosticBag diagnostics, List<string> inputs)
    {
        var spec = ModelLoader.Load(request.ModelPath, diagnostics, request.LoadOptions);
        if (spec is null || diagnostics.HasErrors) return Failed(diagnostics, inputs);
        inputs.Clear();
        inputs.AddRange(spec.ReferencedFiles);

        var training = ModelLowering.Lower(spec, diagnostics);
        if (training is null || diagnostics.HasErrors) return Failed(diagnostics, inputs);

        var options = PlanOptions.Default with { FuseUpdates = request.FuseUpdates };
        var plan = MemoryPlanner.Plan(training, options);
        var board = request.Board;
        var budget = Budget.For(board, request.RamBudget, request.RamReserve);
        var cmsis = request.Kernels == KernelChoice.Portable ? CmsisRoots.None
            : request.ResolvedCmsis ?? CmsisRoots.Find(request.CmsisDspRoot, request.CmsisNnRoot, request.CmsisCoreRoot);
        // Kernels are chosen per family from the nodes alone, so the first plan serves; kernels that
        // need working memory (CMSIS-NN's) get it planned in the arena by a second plan.
        var kernelDiagnostics = new DiagnosticBag();
        var kernels = KernelSelection.Select(plan, board, request.Kernels, kernelDiagnostics, spec.Name.Location, cmsis, request.KernelsDirectory);
        if (plan.Steps.Any(s => s.Node.Op is IScratchUser))
        {
            options = kernels.WithScratch(options, board);
            plan = MemoryPlanner.Plan(training, options);
        }
        if (plan.ArenaBytes > budget.Bytes)
        {
            // No C, but the report is still written: it shows what would have been placed, and the budget line.
            var fits = Alternatives.ThatFit(spec, training, plan.ArenaBytes, board, budget, request, options);
            diagnostics.Error(OverBudget.Code, OverBudget.Message(training.Name, board, budget, plan, fits) + $" See the plan in {ReportPath(request, training.Name)}.",
                spec.Name.Location);
            return Failed(diagnostics, inputs) with
            {
                ModelName = training.Name,
                ReportFiles = ReportWriter.Files(training, plan, board, budget, null, request.ModelPath),
            };
        }
        diagnostics.AddRange(kernelDiagnostics.Items);
        if (diagnostics.HasErrors) return Failed(diagnostics, inputs);

        var reportFiles = ReportWriter.Files(training, plan, board, budget, kernels, request.ModelPath);
        // Only the host has files to write parameters to (NAME_save_parameters, for pretraining).
        var hostFiles = board.Toolchain == BoardToolchain.Host;
        var files = ModelEmitter.Emit(training, plan, request.ModelPath, hostFiles).Concat(reportFiles).ToList();
        var report = PlanReport.Lines(training.Name, board, budget, plan, kernels).Append($"  report: {ReportPath(request, training.Name)}").ToList();
        var kernelSources = hostFiles ? kernels.Sources.Append(HostParameterFiles.NpySource).ToList() : kernels.Sources;
        return new CompileResult(diagnostics.Items, files, training.Name, report, inputs, kernelSources)
        {
            ReportFiles = reportFiles,
            Arena = ArenaLayout.Of(plan),
            IncludeDirectories = kernels.IncludeDirectories,
            Defines = kernels.Defines,
        };
    }

    /// <summary>Where the HTML report goes: the model's generated folder when the caller said where that is, else just its name.</summary>
    private static string ReportPath(CompileRequest request, string model) =>
        request.GeneratedDirectory is { Length: > 0 } root
            ? Path.Combine(Path.GetFullPath(root), model, ReportWriter.HtmlFileName(model))
            : ReportWriter.HtmlFileName(model);

    private static CompileResult Failed(DiagnosticBag diagnostics, IReadOnlyList<string> inputs) =>
        new(diagnostics.Items, [], null, [], inputs, []);

    /// <summary>Compiles a model file to its training graph and plan only (tests and benchmarks).</summary>
    public static (TrainingGraph? Training, MemoryPlan? Plan) Plan(string modelPath, DiagnosticBag diagnostics, PlanOptions? options = null, LoadOptions? load = null)
    {
        var spec = ModelLoader.Load(modelPath, diagnostics, load ?? LoadOptions.Default);
        if (spec is null || diagnostics.HasErrors) return (null, null);
        var training = ModelLowering.Lower(spec, diagnostics);
        if (training is null || diagnostics.HasErrors) return (null, null);
        return (training, MemoryPlanner.Plan(training, options ?? PlanOptions.Default));
    }
}
