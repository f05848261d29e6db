namespace Autodiff.Sdk.Tests;

/// <summary>
/// What a build relies on from earlier builds (the manifest, the generated C, dependency files) may
/// be stale or gone; the build must notice and redo the work, whatever the timestamps say.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class LostStateTests(SdkPackageFixture sdk)
{
    [Fact]
    public void A_model_changed_under_an_older_timestamp_is_regenerated()
    {
        // As when the model is saved while the engine reads it: the manifest written afterwards is
        // newer than the model's new content.
        var project = TinyProject("ModelChangedOldTime");
        BuildAssert.Succeeded(project.Build());
        var model = project.PathOf("models/tiny.yaml");
        var modelTime = File.GetLastWriteTimeUtc(model);
        var before = File.ReadAllText(Path.Combine(project.GeneratedDirectory(), "tiny", "tiny.c"));

        project.WithFile("models/tiny.yaml", TestModels.Classifier("tiny", learningRate: "0.05"));
        File.SetLastWriteTimeUtc(model, modelTime);

        Assert.False(project.Build("-question").Succeeded, "-question passed with the model's content changed");
        BuildAssert.Succeeded(project.Build());
        Assert.NotEqual(before, File.ReadAllText(Path.Combine(project.GeneratedDirectory(), "tiny", "tiny.c")));
        BuildAssert.Succeeded(project.Build("-question"));
    }

    [Theory]
    [InlineData("tiny.c")]
    [InlineData("tiny.h")]
    public void A_deleted_generated_file_is_regenerated(string file)
    {
        var project = TinyProject("GeneratedDeleted" + Path.GetExtension(file).TrimStart('.'));
        BuildAssert.Succeeded(project.Build());
        var path = Path.Combine(project.GeneratedDirectory(), "tiny", file);
        var content = File.ReadAllText(path);

        File.Delete(path);
        var run = project.Build("-t:Run");

        BuildAssert.Succeeded(run);
        BuildAssert.OutputContains(run, "tiny step 4 loss");
        Assert.Equal(content, File.ReadAllText(path));
        BuildAssert.Succeeded(project.Build("-question"));
    }

    [Fact]
    public void A_lost_dependency_file_recompiles_its_source_when_a_header_changes()
    {
        var project = TinyProject("DependencyFileLost")
            .WithFile("config.h", "#define MARKER \"CONFIG-ONE\"\n")
            .WithFile("main.c", "#include <stdio.h>\n#include \"config.h\"\n" +
                      "__attribute__((constructor)) static void marker(void) { puts(MARKER); }\n" + TestModels.MainTraining(0, "tiny"));
        BuildAssert.OutputContains(project.Build("-t:Run"), "CONFIG-ONE");

        File.Delete(Path.Combine(project.ObjectDirectory(), "project", "main.c.d"));
        project.WithFile("config.h", "#define MARKER \"CONFIG-TWO\"\n");

        Assert.False(project.Build("-question").Succeeded, "-question passed without main.c's dependency file");
        var run = project.Build("-t:Run");
        BuildAssert.Succeeded(run);
        BuildAssert.OutputContains(run, "CONFIG-TWO");
        Assert.True(File.Exists(Path.Combine(project.ObjectDirectory(), "project", "main.c.d")), "main.c.d was not written again");
        BuildAssert.Succeeded(project.Build("-question"));
    }

    private FirmwareProject TinyProject(string name) =>
        sdk.CreateProject(name)
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));
}
