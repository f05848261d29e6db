using System.Text.RegularExpressions;
using Autodiff.Engine.Boards;
using Autodiff.Engine.CodeGen;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Planning;
using Autodiff.Engine.Tests.CodeGen;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Kernels;

/// <summary>
/// AutodiffKernels=auto|portable|armv7em|cmsis: which family gets which kernel, the CMSIS sources
/// and include folders that implies, and the AD5xxx diagnostics. A fake CMSIS tree (marker headers and
/// empty files at the listed source paths) stands in for CMSIS, so these tests never need it.
/// </summary>
public sealed class CmsisSelectionTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _fake = Directory.CreateTempSubdirectory("autodiff-fake-cmsis-").FullName;

    public void Dispose() => Directory.Delete(_fake, recursive: true);

    private static string Kernels => ArmFirmware.KernelsDirectory;
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    // tensor_chain uses linear (armv7em), elementwise and matmul (CMSIS-DSP) and portable-only families.
    private static MemoryPlan Plan => GeneratedCodeTests.Plan("tensor_chain").Plan;

    /// <summary>A CMSIS_6 / CMSIS-DSP / CMSIS-NN layout side by side, holding every file the .cmsis lists name.</summary>
    private CmsisRoots FakeCmsis(bool withCore = true, string? leaveOut = null)
    {
        var dsp = Path.Combine(_fake, "CMSIS-DSP");
        var nn = Path.Combine(_fake, "CMSIS-NN");
        Touch(Path.Combine(dsp, "Include", "arm_math.h"));
        Touch(Path.Combine(nn, "Include", "arm_nnfunctions.h"));
        if (withCore) Touch(Path.Combine(_fake, "CMSIS_6", "CMSIS", "Core", "Include", "cmsis_compiler.h"));
        foreach (var list in Directory.GetFiles(Path.Combine(Kernels, "cmsis"), "*.cmsis"))
        {
            var parsed = CmsisFamilyFile.Parse(Path.GetFileNameWithoutExtension(list), File.ReadAllText(list), out _)!;
            foreach (var s in parsed.DspSources.Where(s => s != leaveOut)) Touch(Path.Combine(dsp, s));
            foreach (var s in parsed.NnSources.Where(s => s != leaveOut)) Touch(Path.Combine(nn, s));
        }
        return CmsisRoots.Find(dsp, nn, null, NoEnvironment);
    }

    private static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
    }

    private static KernelSelection Select(string board, KernelChoice choice, CmsisRoots roots, DiagnosticBag bag) =>
        Select(ArmFirmware.Board(board), choice, roots, bag);

    private static KernelSelection Select(BoardSpec board, KernelChoice choice, CmsisRoots roots, DiagnosticBag bag) =>
        KernelSelection.Select(Plan, board, choice, bag, new SourceLocation("m.yaml", 2, 7), roots, Kernels);

    /// <summary>No MVE board is defined yet; stm32f4's description with MVE stands in for one (no FPU: no armv7em).</summary>
    private static BoardSpec HeliumBoard => ArmFirmware.Board("stm32f4") with { Name = "helium", Cpu = "cortex-m55", HasMve = true };

    [Theory]
    [InlineData("host")]
    [InlineData("lm3s6965")]
    public void Auto_on_a_board_without_DSP_selects_portable_kernels_everywhere_and_says_nothing(string board)
    {
        var bag = new DiagnosticBag();
        var k = Select(board, KernelChoice.Auto, FakeCmsis(), bag);
        Assert.All(k.Families.Values, v => Assert.Equal(KernelSelection.Portable, v));
        Assert.All(k.Sources, s => Assert.StartsWith("portable/", s));
        Assert.Empty(k.IncludeDirectories);
        Assert.Empty(bag.Items);
    }

    [Fact]
    public void Auto_on_stm32f4_selects_armv7em_and_portable_kernels_and_never_CMSIS()
    {
        foreach (var roots in new[] { CmsisRoots.None, FakeCmsis() })
        {
            var bag = new DiagnosticBag();
            var k = Select("stm32f4", KernelChoice.Auto, roots, bag);
            Assert.Equal(KernelSelection.Armv7em, k.Of("linear"));
            Assert.All(k.Families.Where(f => f.Key != "linear").Select(f => f.Value), v => Assert.Equal(KernelSelection.Portable, v));
            Assert.Empty(k.IncludeDirectories);
            Assert.Empty(bag.Items);
        }
    }

    [Fact]
    public void Auto_on_an_MVE_board_without_CMSIS_says_once_how_to_enable_CMSIS()
    {
        var bag = new DiagnosticBag();
        var k = Select(HeliumBoard, KernelChoice.Auto, CmsisRoots.None, bag);
        Assert.All(k.Families.Values, v => Assert.Equal(KernelSelection.Portable, v));
        var message = Assert.Single(bag.Items);
        output.WriteLine(message.ToString());
        Assert.Equal(KernelSelection.HowToEnableCmsisCode, message.Code);
        Assert.Equal(Severity.Info, message.Severity);
        Assert.Contains("CmsisDspRoot", message.Message);
        Assert.Contains("CMSIS_DSP_ROOT", message.Message);
        Assert.Contains("CmsisNnRoot", message.Message);
        Assert.Contains("elementwise, linear, matmul", message.Message);
    }

    [Fact]
    public void Armv7em_takes_the_families_it_has_on_a_Cortex_M4F_and_is_an_error_elsewhere()
    {
        var bag = new DiagnosticBag();
        var k = Select("stm32f4", KernelChoice.Armv7em, FakeCmsis(), bag);
        Assert.Empty(bag.Items);
        Assert.Equal(KernelSelection.Armv7em, k.Of("linear"));
        Assert.Contains("armv7em/linear.c", k.Sources);
        Assert.Equal(KernelSelection.Portable, k.Of("matmul"));
        Assert.Empty(k.IncludeDirectories);

        var m3 = new DiagnosticBag();
        Select("lm3s6965", KernelChoice.Armv7em, FakeCmsis(), m3);
        var error = Assert.Single(m3.Items);
        Assert.Equal(KernelSelection.BoardWithoutArmv7emCode, error.Code);
        Assert.Contains("lm3s6965", error.Message);
    }

    [Fact]
    public void Cmsis_without_CMSIS_is_an_error_naming_the_property_to_set()
    {
        var bag = new DiagnosticBag();
        Select("stm32f4", KernelChoice.Cmsis, CmsisRoots.None, bag);
        var error = Assert.Single(bag.Items);
        output.WriteLine(error.ToString());
        Assert.Equal(KernelSelection.CmsisNotFoundCode, error.Code);
        Assert.True(error.IsError);
        Assert.Contains("CmsisDspRoot", error.Message);
        Assert.Contains("CMSIS_DSP_ROOT", error.Message);
        Assert.Equal(2, error.Location!.Line);
    }

    [Fact]
    public void Cmsis_without_the_Core_headers_names_CmsisCoreRoot()
    {
        var bag = new DiagnosticBag();
        var roots = FakeCmsis(withCore: false);
        Assert.Null(roots.Core);
        Select("stm32f4", KernelChoice.Cmsis, roots, bag);
        var error = Assert.Single(bag.Items);
        Assert.Equal(KernelSelection.CmsisNotFoundCode, error.Code);
        Assert.Contains("CmsisCoreRoot", error.Message);
        Assert.DoesNotContain("CmsisDspRoot (", error.Message);
    }

    [Theory]
    [InlineData("host")]
    [InlineData("lm3s6965")]
    public void Cmsis_on_a_board_without_DSP_or_MVE_is_an_error(string board)
    {
        var bag = new DiagnosticBag();
        Select(board, KernelChoice.Cmsis, FakeCmsis(), bag);
        var error = Assert.Single(bag.Items);
        Assert.Equal(KernelSelection.BoardWithoutDspCode, error.Code);
        Assert.Contains(board, error.Message);
    }

    [Theory]
    [InlineData(KernelChoice.Auto)]
    [InlineData(KernelChoice.Cmsis)]
    public void With_CMSIS_the_families_that_have_CMSIS_kernels_take_them_with_only_the_sources_they_need(KernelChoice choice)
    {
        var bag = new DiagnosticBag();
        var roots = FakeCmsis();
        // auto takes CMSIS on an MVE core, cmsis on any core with DSP.
        var k = Select(choice == KernelChoice.Auto ? HeliumBoard : ArmFirmware.Board("stm32f4"), choice, roots, bag);
        Assert.Empty(bag.Items);

        // elementwise and matmul have CMSIS-DSP kernels, linear CMSIS-NN ones; losses, optimizers
        // and the rest stay portable.
        Assert.Equal(KernelSelection.Cmsis, k.Of("elementwise"));
        Assert.Equal(KernelSelection.Cmsis, k.Of("matmul"));
        Assert.Equal(KernelSelection.Cmsis, k.Of("linear"));
        foreach (var f in k.Families.Where(kv => kv.Value == KernelSelection.Portable).Select(kv => kv.Key))
            Assert.False(File.Exists(Path.Combine(Kernels, "cmsis", f + ".c")), $"{f} has a CMSIS kernel but got portable");
        Assert.Contains("cmsis/matmul.c", k.Sources);
        Assert.Contains("cmsis/linear.c", k.Sources);
        Assert.Contains("portable/losses.c", k.Sources);
        Assert.DoesNotContain("portable/matmul.c", k.Sources);

        var lists = new[] { "elementwise", "linear", "matmul" }
            .Select(f => CmsisFamilyFile.Parse(f, File.ReadAllText(Path.Combine(Kernels, "cmsis", f + ".cmsis")), out _)!).ToArray();
        var needed = lists.SelectMany(f => f.DspSources.Select(s => Path.GetFullPath(Path.Combine(roots.Dsp!, s))))
            .Concat(lists.SelectMany(f => f.NnSources.Select(s => Path.GetFullPath(Path.Combine(roots.Nn!, s)))))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(needed, k.Sources.Where(Path.IsPathRooted).ToArray());
        Assert.DoesNotContain(k.Sources, s => s.Contains("arm_mat_vec_mult_f32")); // listed by no family tensor_chain uses

        // The arm_mve.h wrapper first, then CMSIS-NN, CMSIS-DSP and Core.
        Assert.Equal([Path.GetFullPath(Path.Combine(Kernels, "cmsis", "include")), Path.Combine(roots.Nn!, "Include"),
            Path.Combine(roots.Dsp!, "Include"), Path.Combine(roots.Dsp!, "PrivateInclude"), roots.Core!], k.IncludeDirectories);
        Assert.Contains("ARM_MATH_LOOPUNROLL", k.Defines);
        Assert.Contains("ARM_NN_ENABLE_F32=1", k.Defines);
        Assert.StartsWith("cmsis 3, portable ", k.Summary());
        Assert.Equal("arm_fully_connected_f32", k.CmsisCalls["linear"].Single(c => c.Key == "ad_linear_f32").Value);
    }

    [Fact]
    public void Portable_ignores_CMSIS_even_where_it_is_found()
    {
        var bag = new DiagnosticBag();
        var k = Select("stm32f4", KernelChoice.Portable, FakeCmsis(), bag);
        Assert.All(k.Families.Values, v => Assert.Equal(KernelSelection.Portable, v));
        Assert.Empty(bag.Items);
    }

    [Fact]
    public void A_CMSIS_tree_lacking_a_listed_source_falls_back_under_auto_and_fails_under_cmsis()
    {
        var roots = FakeCmsis(leaveOut: "Source/MatrixFunctions/arm_mat_mult_f32.c");
        var auto = new DiagnosticBag();
        var k = Select(HeliumBoard, KernelChoice.Auto, roots, auto);
        Assert.Equal(KernelSelection.Portable, k.Of("matmul"));
        Assert.Equal(KernelSelection.Cmsis, k.Of("elementwise"));
        Assert.Equal(KernelSelection.CmsisFileMissingCode, Assert.Single(auto.Items).Code);
        Assert.False(auto.HasErrors);

        var cmsis = new DiagnosticBag();
        Select("stm32f4", KernelChoice.Cmsis, roots, cmsis);
        var error = Assert.Single(cmsis.Items);
        Assert.True(error.IsError);
        Assert.Contains("arm_mat_mult_f32.c", error.Message);
    }

    [Fact]
    public void Roots_come_from_settings_then_environment_and_the_Core_headers_are_found_beside_CMSIS_DSP()
    {
        var fake = FakeCmsis();
        var environment = new Dictionary<string, string?> { ["CMSIS_DSP_ROOT"] = fake.Dsp, ["CMSIS_NN_ROOT"] = fake.Nn };
        var fromEnvironment = CmsisRoots.Find(null, null, null, n => environment.GetValueOrDefault(n));
        Assert.Equal(fake, fromEnvironment);
        Assert.Equal(Path.Combine(_fake, "CMSIS_6", "CMSIS", "Core", "Include"), fromEnvironment.Core);

        // A setting wins over the environment; a folder without the marker header does not count.
        var notDsp = Directory.CreateDirectory(Path.Combine(_fake, "empty")).FullName;
        Assert.Null(CmsisRoots.Find(notDsp, null, null, n => environment.GetValueOrDefault(n)).Dsp);
        Assert.False(CmsisRoots.Find(null, null, null, NoEnvironment).HasDsp);
    }

    [Fact]
    public void Compile_reports_which_family_got_which_kernel_and_returns_the_CMSIS_include_folders()
    {
        var roots = FakeCmsis();
        var request = new CompileRequest(GeneratedCodeTests.ModelPath("tensor_chain"), ArmFirmware.Board("stm32f4"), KernelChoice.Cmsis,
            CmsisNnRoot: roots.Nn, CmsisDspRoot: roots.Dsp) { KernelsDirectory = Kernels };
        var result = ModelCompiler.Compile(request);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Contains(result.ReportLines, l => l.Contains("kernels: cmsis 3, portable "));
        Assert.Contains(result.ReportLines, l => l.Contains("matmul cmsis") && l.Contains("linear cmsis"));
        // Which CMSIS function each kernel of a CMSIS family runs, with the model lines of its layers.
        Assert.Contains(result.ReportLines, l => Regex.IsMatch(l, @"^  linear on cmsis \(model lines [\d, ]+\): ad_linear_f32 = arm_fully_connected_f32; "));
        Assert.Contains(Path.Combine(roots.Dsp!, "Include"), result.IncludeDirectories);
        Assert.Contains("cmsis/elementwise.c", result.KernelSources);

        var portable = ModelCompiler.Compile(request with { Kernels = KernelChoice.Portable });
        Assert.Empty(portable.IncludeDirectories);
        Assert.Empty(portable.Defines);
    }

    /// <summary>A family file replaces its portable file wholesale, so it must define exactly the same functions.</summary>
    [Fact]
    public void Every_armv7em_family_file_defines_the_functions_of_its_portable_counterpart()
    {
        var families = Directory.GetFiles(Path.Combine(Kernels, "armv7em"), "*.c").Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        Assert.NotEmpty(families);
        foreach (var family in families)
            Assert.Equal(DefinedFunctions(Path.Combine(Kernels, "portable", family + ".c")), DefinedFunctions(Path.Combine(Kernels, "armv7em", family + ".c")));
    }

    /// <summary>The kernel functions a family file defines, with those of the internal headers it includes.</summary>
    private static string[] DefinedFunctions(string file)
    {
        // External definitions only: not static helpers, not prototypes.
        var definition = new Regex(@"^(?!static\b)[a-z][\w ]*?\**\b(ad_\w+)\s*\((?![^;{]*\);)", RegexOptions.Multiline);
        var include = new Regex(@"^#include ""(\.\./portable/)?(internal/[\w.]+)""", RegexOptions.Multiline);
        var text = File.ReadAllText(file);
        foreach (Match m in include.Matches(text))
        {
            // "internal/x.h" resolves beside the file first, then in portable/ (on the kernels' include path).
            var header = new[] { Path.Combine(Path.GetDirectoryName(file)!, m.Groups[1].Value, m.Groups[2].Value), Path.Combine(Kernels, "portable", m.Groups[2].Value) }
                .FirstOrDefault(File.Exists);
            if (header is not null) text += File.ReadAllText(header);
        }
        return definition.Matches(text).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>A CMSIS family file replaces its portable file wholesale, so it must define exactly the same functions.</summary>
    [Fact]
    public void Every_CMSIS_family_file_defines_the_functions_of_its_portable_counterpart_and_lists_its_sources()
    {
        var families = Directory.GetFiles(Path.Combine(Kernels, "cmsis"), "*.c").Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        Assert.NotEmpty(families);
        foreach (var family in families)
        {
            var portable = Path.Combine(Kernels, "portable", family + ".c");
            Assert.True(File.Exists(portable), $"cmsis/{family}.c has no portable counterpart");
            Assert.Equal(DefinedFunctions(portable), DefinedFunctions(Path.Combine(Kernels, "cmsis", family + ".c")));
            var list = Path.Combine(Kernels, "cmsis", family + CmsisFamilyFile.Extension);
            Assert.True(File.Exists(list), $"cmsis/{family}.c has no {family}.cmsis source list");
            Assert.NotNull(CmsisFamilyFile.Parse(family, File.ReadAllText(list), out var error));
            Assert.Null(error);
        }
    }

    /// <summary>The lists name files that exist in the real CMSIS trees (when they are here).</summary>
    [SkippableFact]
    public void Every_listed_CMSIS_source_exists_when_CMSIS_is_present()
    {
        var roots = ArmFirmware.Cmsis;
        Skip.IfNot(roots.HasDsp, $"CMSIS not found; set {CmsisRoots.DspVariable} and {CmsisRoots.NnVariable} to check the source lists against it");
        foreach (var list in Directory.GetFiles(Path.Combine(Kernels, "cmsis"), "*.cmsis"))
        {
            var parsed = CmsisFamilyFile.Parse(Path.GetFileNameWithoutExtension(list), File.ReadAllText(list), out _)!;
            foreach (var s in parsed.DspSources) Assert.True(File.Exists(Path.Combine(roots.Dsp!, s)), $"{Path.GetFileName(list)}: {s} not in CMSIS-DSP");
            if (roots.Nn is not null)
                foreach (var s in parsed.NnSources) Assert.True(File.Exists(Path.Combine(roots.Nn, s)), $"{Path.GetFileName(list)}: {s} not in CMSIS-NN");
        }
    }

    [Fact]
    public void The_format_of_a_source_list_is_checked()
    {
        Assert.NotNull(CmsisFamilyFile.Parse("x", "# comment\n\ndsp:Source/A/a.c  # trailing\nnn:Source/b.c\ndefine:X=1\n", out _));
        Assert.Null(CmsisFamilyFile.Parse("x", "Source/A/a.c\n", out var e1));
        Assert.Contains("line 1", e1);
        Assert.Null(CmsisFamilyFile.Parse("x", "dsp:../outside.c\n", out _));
        Assert.Null(CmsisFamilyFile.Parse("x", "dsp:/abs/a.c\n", out _));
    }
}
