using System.Text.RegularExpressions;

namespace Autodiff.Sdk.Tests;

/// <summary>Only what changed is regenerated and recompiled.</summary>
[Collection(SdkCollection.Name)]
public sealed class IncrementalBuildTests(SdkPackageFixture sdk)
{
    private FirmwareProject ThreeModels(string name) =>
        sdk.CreateProject(name)
            .WithProjectFile("models/alpha.yaml", "models/beta.yaml", "models/gamma.yaml")
            .WithFile("models/alpha.yaml", TestModels.Classifier("alpha"))
            .WithFile("models/beta.yaml", TestModels.Classifier("beta"))
            .WithFile("models/gamma.yaml", TestModels.Classifier("gamma"))
            .WithFile("main.c", TestModels.MainTraining(0, "alpha", "beta", "gamma"));

    [Fact]
    public void A_second_build_changes_nothing_and_question_build_passes()
    {
        var project = ThreeModels("Incremental");
        BuildAssert.Succeeded(project.Build());
        var generated = FirmwareProject.Timestamps(project.GeneratedDirectory());
        var objects = FirmwareProject.Timestamps(project.ObjectDirectory());

        BuildAssert.Succeeded(project.Build());
        var question = project.Build("-question");

        Assert.Equal(generated, FirmwareProject.Timestamps(project.GeneratedDirectory()));
        Assert.Equal(objects, FirmwareProject.Timestamps(project.ObjectDirectory()));
        BuildAssert.Succeeded(question);
    }

    [Fact]
    public void Changing_one_model_regenerates_and_recompiles_only_that_model()
    {
        var project = ThreeModels("OneModelChanged");
        BuildAssert.Succeeded(project.Build());
        var generated = FirmwareProject.Timestamps(project.GeneratedDirectory());
        var objects = FirmwareProject.Timestamps(project.ObjectDirectory());

        project.WithFile("models/beta.yaml", TestModels.Classifier("beta", learningRate: "0.05"));
        BuildAssert.Succeeded(project.Build());
        var generatedAfter = FirmwareProject.Timestamps(project.GeneratedDirectory());
        var objectsAfter = FirmwareProject.Timestamps(project.ObjectDirectory());

        Assert.True(generatedAfter["beta/beta.c"] > generated["beta/beta.c"], "beta.c was not regenerated");
        Assert.Equal(generated["alpha/alpha.c"], generatedAfter["alpha/alpha.c"]);
        Assert.Equal(generated["gamma/gamma.c"], generatedAfter["gamma/gamma.c"]);
        Assert.Equal(generated["alpha/alpha.h"], generatedAfter["alpha/alpha.h"]);

        Assert.True(objectsAfter["generated/beta/beta.c.o"] > objects["generated/beta/beta.c.o"], "beta.c was not recompiled");
        Assert.Equal(objects["generated/alpha/alpha.c.o"], objectsAfter["generated/alpha/alpha.c.o"]);
        Assert.Equal(objects["generated/gamma/gamma.c.o"], objectsAfter["generated/gamma/gamma.c.o"]);
        foreach (var kernel in objects.Keys.Where(k => k.StartsWith("kernels/", StringComparison.Ordinal) && k.EndsWith(".o", StringComparison.Ordinal)))
            Assert.Equal(objects[kernel], objectsAfter[kernel]);
        BuildAssert.Succeeded(project.Build("-question"));
    }

    [Fact]
    public void Changing_a_header_recompiles_only_the_sources_that_include_it()
    {
        var project = sdk.CreateProject("HeaderChanged")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("config.h", "#define STEPS 1\n")
            .WithFile("main.c", "#include \"config.h\"\n" + TestModels.MainTraining(0, "tiny"))
            .WithFile("helper.c", "int helper(void);\nint helper(void) { return 1; }\n");
        BuildAssert.Succeeded(project.Build());
        var objects = FirmwareProject.Timestamps(project.ObjectDirectory());

        project.WithFile("config.h", "#define STEPS 2\n");
        BuildAssert.Succeeded(project.Build());
        var objectsAfter = FirmwareProject.Timestamps(project.ObjectDirectory());

        Assert.True(objectsAfter["project/main.c.o"] > objects["project/main.c.o"], "main.c was not recompiled");
        Assert.Equal(objects["project/helper.c.o"], objectsAfter["project/helper.c.o"]);
        Assert.Equal(objects["generated/tiny/tiny.c.o"], objectsAfter["generated/tiny/tiny.c.o"]);
    }

    [Fact]
    public void Changing_the_kernels_choice_regenerates_every_model()
    {
        var project = ThreeModels("KernelsChanged");
        BuildAssert.Succeeded(project.Build());
        var manifests = Manifests(project);

        BuildAssert.Succeeded(project.Build("-p:AutodiffKernels=portable"));
        var manifestsAfter = Manifests(project);

        Assert.Equal(3, manifests.Count);
        foreach (var (file, time) in manifests) Assert.True(manifestsAfter[file] > time, $"{file} was not regenerated");
    }

    [Fact]
    public void Changing_the_board_regenerates_every_model()
    {
        var project = ThreeModels("BoardChanged");
        BuildAssert.Succeeded(project.Build());
        var manifests = Manifests(project);

        BuildAssert.Succeeded(project.Build("-p:Board=stm32f4"));
        var manifestsAfter = Manifests(project);

        Assert.Equal(3, manifests.Count);
        foreach (var (file, time) in manifests) Assert.True(manifestsAfter[file] > time, $"{file} was not regenerated");
    }

    [Fact]
    public void Turning_off_fused_updates_regenerates_every_model_and_turning_it_back_on_does_too()
    {
        var project = ThreeModels("FuseUpdatesChanged");
        BuildAssert.Succeeded(project.Build());
        var manifests = Manifests(project);
        var fused = File.ReadAllText(Path.Combine(project.GeneratedDirectory(), "alpha", "alpha.c"));

        BuildAssert.Succeeded(project.Build("-p:AutodiffFuseUpdates=false"));
        var manifestsStored = Manifests(project);
        var stored = File.ReadAllText(Path.Combine(project.GeneratedDirectory(), "alpha", "alpha.c"));
        BuildAssert.Succeeded(project.Build("-p:AutodiffFuseUpdates=false", "-question"));

        BuildAssert.Succeeded(project.Build());
        var manifestsFused = Manifests(project);

        Assert.Equal(3, manifests.Count);
        foreach (var (file, time) in manifests) Assert.True(manifestsStored[file] > time, $"{file} was not regenerated with AutodiffFuseUpdates=false");
        foreach (var (file, time) in manifestsStored) Assert.True(manifestsFused[file] > time, $"{file} was not regenerated with AutodiffFuseUpdates back on");
        Assert.NotEqual(fused, stored);
    }

    [Fact]
    public void Deleting_a_source_relinks_the_firmware_without_it()
    {
        // The marker prints from a constructor, so main.c needs nothing from extra.c.
        var project = sdk.CreateProject("SourceDeleted")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"))
            .WithFile("extra.c", """
                #include <stdio.h>
                __attribute__((constructor)) static void extra_marker(void) { puts("EXTRA-SOURCE-MARKER"); }
                """);
        var first = project.Build("-t:Run");
        BuildAssert.Succeeded(first);
        BuildAssert.OutputContains(first, "EXTRA-SOURCE-MARKER");

        File.Delete(project.PathOf("extra.c"));
        var second = project.Build("-t:Run");

        BuildAssert.Succeeded(second);
        Assert.DoesNotContain("EXTRA-SOURCE-MARKER", second.Output);
        BuildAssert.OutputContains(second, "tiny step 4 loss");
    }

    [Fact]
    public void After_a_duplicate_model_name_is_fixed_each_model_has_its_own_code()
    {
        var project = sdk.CreateProject("DuplicateName")
            .WithProjectFile("models/a.yaml", "models/b.yaml")
            .WithFile("models/a.yaml", TestModels.Classifier("moons"))
            .WithFile("models/b.yaml", TestModels.Classifier("moons").Replace("x: [4]", "x: [6]"))
            .WithFile("main.c", TestModels.MainTraining(0, "moons", "moons2"));

        var duplicate = project.Build();
        BuildAssert.Failed(duplicate);
        BuildAssert.OutputMatches(duplicate, @"b\.yaml\(2,7\): error AD4020: model name 'moons' is also used by");

        project.WithFile("models/b.yaml", TestModels.Classifier("moons2").Replace("x: [4]", "x: [6]"));
        var fixedNames = project.Build("-t:Run");

        BuildAssert.Succeeded(fixedNames);
        var header = File.ReadAllText(Path.Combine(project.GeneratedDirectory(), "moons", "moons.h"));
        Assert.Matches(@"#define MOONS_INPUT_SIZE\s+4\b", header);
        Assert.Matches(@"#define MOONS2_INPUT_SIZE\s+6\b", File.ReadAllText(Path.Combine(project.GeneratedDirectory(), "moons2", "moons2.h")));
        // The report of 'moons' describes the code in moons.h: the same arena.
        var arena = Regex.Match(header, @"#define MOONS_ARENA_BYTES\s+(\d+)u").Groups[1].Value;
        BuildAssert.OutputMatches(fixedNames, @"Autodiff: moons \(board host[^\n]*\n(?:[^\n]*\n)?\s*arena [^\n]*\(" + arena + " B\\)");
        BuildAssert.OutputContains(fixedNames, "moons2 step 4 loss");
    }

    /// <summary>Each model's manifest is rewritten exactly when the model is generated.</summary>
    private static Dictionary<string, DateTime> Manifests(FirmwareProject project) =>
        FirmwareProject.Timestamps(project.GeneratedDirectory())
            .Where(p => p.Key.EndsWith(".manifest.json", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value);
}
