namespace Autodiff.Sdk.Tests;

/// <summary>
/// `dotnet build -t:AutodiffCheck`: the model checks and report without compiling or linking, and the
/// model schema copied beside obj/ for editors.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class ModelCheckTests(SdkPackageFixture sdk)
{
    [Fact]
    public void AutodiffCheck_reports_the_model_and_copies_the_schema_without_compiling()
    {
        var project = sdk.CreateProject("CheckGood")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        var result = project.Build("-t:AutodiffCheck");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "Autodiff: tiny (board host");
        Assert.False(Directory.Exists(project.ObjectDirectory()), "AutodiffCheck compiled C");
        Assert.False(Directory.Exists(project.OutputDirectory()), "AutodiffCheck linked a program");
        var schema = project.PathOf("obj/autodiff-model.schema.json");
        Assert.True(File.Exists(schema), "the model schema was not copied to obj/");
        Assert.Contains("\"title\": \"Autodiff model", File.ReadAllText(schema));
    }

    [Fact]
    public void AutodiffCheck_fails_on_a_model_error_with_its_code_and_place()
    {
        var project = sdk.CreateProject("CheckTypo")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny").Replace("- relu", "- rleu"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        var result = project.Build("-t:AutodiffCheck");

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"tiny\.yaml\(\d+,\d+\): error AD1021: .*rleu");
        Assert.False(Directory.Exists(project.ObjectDirectory()), "AutodiffCheck compiled C");
    }
}
