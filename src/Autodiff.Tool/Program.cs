using System.CommandLine;
using Autodiff.Engine;
using Autodiff.Engine.Boards;
using Autodiff.Tasks;
using Autodiff.Tool;

// The command line: generate, check, report, name, cmake-module. See docs/cmake.md.
var model = new Argument<string>("model") { Description = "the model file (.yaml)" };
var board = new Option<string>("--board") { Description = "board name: host, stm32f4, … (see --boards)", DefaultValueFactory = _ => "host" };
var kernels = new Option<string>("--kernels") { Description = "kernel implementation: " + string.Join(", ", KernelChoices.Names), DefaultValueFactory = _ => "auto" };
var boards = new Option<string[]>("--boards") { Description = "extra folder of board descriptions, searched before the shipped ones (repeatable)" };
var ramBudget = new Option<string?>("--ram-budget") { Description = "arena budget in bytes (64K, 1M), instead of the board's" };
var ramReserve = new Option<string?>("--ram-reserve") { Description = "RAM kept free for the rest of the firmware, instead of the board's" };
var cmsisNn = new Option<string?>("--cmsis-nn") { Description = "CMSIS-NN source root (or CMSIS_NN_ROOT)" };
var cmsisDsp = new Option<string?>("--cmsis-dsp") { Description = "CMSIS-DSP source root (or CMSIS_DSP_ROOT)" };
var cmsisCore = new Option<string?>("--cmsis-core") { Description = "CMSIS Core include folder (or CMSIS_CORE_ROOT)" };
var outRequired = new Option<string>("--out") { Description = "folder that receives NAME/ with the generated files", Required = true };

Command WithEngineOptions(Command command)
{
    command.Add(model);
    foreach (var option in new Option[] { board, kernels, boards, ramBudget, ramReserve, cmsisNn, cmsisDsp, cmsisCore }) command.Add(option);
    return command;
}

int RunWith(ParseResult parsed, RunOutput output, string? outDirectory)
{
    if (!KernelChoices.TryParse(parsed.GetValue(kernels), out var choice))
        return Fail($"--kernels must be one of {string.Join(", ", KernelChoices.Names)}, not '{parsed.GetValue(kernels)}'");
    if (!TryParseSize(parsed.GetValue(ramBudget), out var budget)) return Fail($"--ram-budget '{parsed.GetValue(ramBudget)}' is not a size such as 65536, 64K or 1M");
    if (!TryParseSize(parsed.GetValue(ramReserve), out var reserve)) return Fail($"--ram-reserve '{parsed.GetValue(ramReserve)}' is not a size such as 4096 or 4K");
    var options = new ModelRunOptions(parsed.GetValue(model)!, parsed.GetValue(board)!, choice, parsed.GetValue(boards) ?? [], budget, reserve,
        parsed.GetValue(cmsisNn) ?? Environment.GetEnvironmentVariable("CMSIS_NN_ROOT"),
        parsed.GetValue(cmsisDsp) ?? Environment.GetEnvironmentVariable("CMSIS_DSP_ROOT"),
        parsed.GetValue(cmsisCore) ?? Environment.GetEnvironmentVariable("CMSIS_CORE_ROOT"));
    return ModelRun.Run(options, output, outDirectory);
}

static int Fail(string message)
{
    DiagnosticPrinter.Error(ToolDiagnosticCodes.InvalidOption, message, null);
    return 1;
}

static bool TryParseSize(string? text, out long? value)
{
    value = null;
    if (string.IsNullOrWhiteSpace(text)) return true;
    if (!BoardCatalog.TryParseSize(text, out var parsed)) return false;
    value = parsed;
    return true;
}

var generate = WithEngineOptions(new Command("generate", "compile a model to C: OUT/NAME/NAME.c, NAME.h, reports, NAME.d (dependencies) and NAME.kernels.txt (kernel sources, include folders, defines)"));
generate.Add(outRequired);
generate.SetAction(parsed => RunWith(parsed, RunOutput.Generate, parsed.GetValue(outRequired)));

var check = WithEngineOptions(new Command("check", "report the model's errors and warnings; writes nothing"));
check.SetAction(parsed => RunWith(parsed, RunOutput.None, null));

var report = WithEngineOptions(new Command("report", "write only the model report (OUT/NAME/NAME.report.html and NAME.dot)"));
report.Add(outRequired);
report.SetAction(parsed => RunWith(parsed, RunOutput.Report, parsed.GetValue(outRequired)));

// CMake needs the name (and so the output paths) when it configures, before any model is compiled.
var name = new Command("name", "print the model's name, which names its generated files") { model };
name.SetAction(parsed =>
{
    var path = parsed.GetValue(model)!;
    if (ModelNameReader.TryRead(path) is { } found) { Console.WriteLine(found.Name); return 0; }
    // The engine says why there is no name (missing file, bad YAML, no name: key).
    ModelRun.Run(new ModelRunOptions(path, "host", KernelChoice.Portable, [], null, null, null, null, null), RunOutput.None, null);
    return 1;
});

var cmakeModule = new Command("cmake-module", "print the path of Autodiff.cmake shipped with this tool");
cmakeModule.SetAction(_ => { Console.WriteLine(ToolPaths.CMakeModule.Replace('\\', '/')); return 0; });

var root = new RootCommand("Autodiff: compiles YAML models into C that trains on microcontrollers.") { generate, check, report, name, cmakeModule };
return root.Parse(args).Invoke();
