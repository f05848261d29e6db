using Xunit;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// What shared build files of a firmware repository rely on, as with Microsoft.NET.Sdk: the
/// CustomBefore/CustomAfter imports around the SDK's props and targets, the UsingAutodiffSdk
/// marker, the SDK's item types offered to IDEs (AvailableItemName), and overridable paths.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class SdkConventionsTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Custom_imports_run_before_and_after_the_sdk_and_the_marker_and_item_types_are_set()
    {
        var project = sdk.CreateProject("Conventions")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"))
            // Before the SDK's defaults: a property the SDK would otherwise default.
            .WithFile("build/before.props", "<Project><PropertyGroup><AutodiffRunTimeout>77</AutodiffRunTimeout></PropertyGroup></Project>")
            // After the SDK's targets: a hook seeing the marker and that property.
            .WithFile("build/after.targets", """
                <Project>
                  <Target Name="RepositoryHook" AfterTargets="AutodiffBuild">
                    <Message Importance="high" Text="repository hook: UsingAutodiffSdk=$(UsingAutodiffSdk) AutodiffRunTimeout=$(AutodiffRunTimeout)" />
                  </Target>
                </Project>
                """);

        var result = project.Build(
            "-p:CustomBeforeAutodiffSdkProps=" + project.PathOf("build/before.props"),
            "-p:CustomAfterAutodiffSdkTargets=" + project.PathOf("build/after.targets"));

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "repository hook: UsingAutodiffSdk=true AutodiffRunTimeout=77");

        var items = project.Build("-getItem:AvailableItemName");
        BuildAssert.Succeeded(items);
        foreach (var itemType in new[] { "AutodiffModel", "AutodiffData", "CCompile" })
            BuildAssert.OutputContains(items, $"\"Identity\": \"{itemType}\"");
    }

    [Fact]
    public void The_generated_folder_can_be_moved_and_clean_still_removes_it()
    {
        var project = sdk.CreateProject("MovedGenerated")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        var result = project.Build("-p:AutodiffGeneratedDirectory=generated");

        BuildAssert.Succeeded(result);
        Assert.True(File.Exists(project.PathOf("generated/tiny/tiny.c")), result.Output);
        Assert.False(Directory.Exists(project.GeneratedDirectory()), "the default folder was written too");
        var question = project.Build("-p:AutodiffGeneratedDirectory=generated", "-question");
        Assert.True(question.Succeeded, "not up to date:\n" + question.Output);

        BuildAssert.Succeeded(project.Clean("-p:AutodiffGeneratedDirectory=generated"));
        Assert.False(File.Exists(project.PathOf("generated/tiny/tiny.c")), "clean left the generated C");
    }
}
