namespace Autodiff.Sdk.Tests;

/// <summary>
/// Hostile models through <c>dotnet build</c>: the log shows one positioned ADnnnn error, never a
/// crashed task (MSB4018) or a stack trace, carries no raw control character from the model, and
/// the failed build leaves no generated C or temporary file under <c>obj/</c> for the next build to trust.
/// </summary>
[Collection(SdkCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // symbolic links to /dev/zero
public sealed class HostileBuildTests(SdkPackageFixture sdk)
{
    private static void AssertCleanFailure(ProcessResult result, FirmwareProject project, string modelName)
    {
        BuildAssert.Failed(result);
        Assert.DoesNotContain("   at ", result.Output);          // a .NET stack trace
        Assert.DoesNotContain("Exception:", result.Output);
        Assert.DoesNotContain('\u001b', result.Output);
        Assert.DoesNotMatch(@"(?m)^\s*forged\.yaml\(1,1\): error AD0000", result.Output);
        var obj = project.PathOf("obj");
        if (!Directory.Exists(obj)) return;
        var written = Directory.EnumerateFiles(obj, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).StartsWith(modelName + ".", StringComparison.Ordinal)
                        && (f.EndsWith(".c", StringComparison.Ordinal) || f.EndsWith(".h", StringComparison.Ordinal))
                        || f.EndsWith(".tmp", StringComparison.Ordinal))
            .ToList();
        Assert.True(written.Count == 0, "left under obj/: " + string.Join(", ", written));
    }

    [Fact]
    public void Control_characters_in_a_layer_name_reach_the_log_escaped()
    {
        var model = TestModels.Classifier("tiny").Replace("name: fc1", "name: \"fc\\e[31m\\nforged.yaml(1,1): error AD0000: forged\"");
        var project = sdk.CreateProject("HostileLayerName")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", model)
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build();

        AssertCleanFailure(result, project, "tiny");
        BuildAssert.OutputMatches(result, @"models[/\\]tiny\.yaml\(8,31\): error AD1017: layer name 'fc\\u001b\[31m\\u000aforged");
    }

    [Fact]
    public void A_name_of_half_a_megabyte_gives_a_short_error()
    {
        var model = TestModels.Classifier("tiny").Replace("name: fc1", "name: " + new string('a', 500_000));
        var project = sdk.CreateProject("HugeLayerName")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", model)
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build();

        AssertCleanFailure(result, project, "tiny");
        BuildAssert.OutputMatches(result, @"models[/\\]tiny\.yaml\(8,31\): error AD1017: ");
        Assert.DoesNotContain(new string('a', 200), result.Output);
    }

    [Fact]
    public void Weights_linked_to_dev_zero_fail_on_the_weights_line()
    {
        var model = TestModels.Classifier("tiny").Replace("name: fc1 }", "name: fc1, trainable: false, weights: zero.npy }");
        var project = sdk.CreateProject("ZeroWeights")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", model)
            .WithFile("main.c", "int main(void) { return 0; }\n");
        File.CreateSymbolicLink(project.PathOf("models/zero.npy"), "/dev/zero");

        var result = project.Build();

        AssertCleanFailure(result, project, "tiny");
        BuildAssert.OutputMatches(result, @"models[/\\]tiny\.yaml\(8,\d+\): error AD1031: ");
    }

    [Fact]
    public void A_model_file_name_with_quotes_spaces_and_unicode_is_reported_at_its_position()
    {
        var file = "it's a \"model\" ünïcode.yaml";
        var project = sdk.CreateProject("OddFileName")
            .WithProjectFile("models/*.yaml")
            .WithFile("models/" + file, TestModels.BrokenModel)
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build();

        AssertCleanFailure(result, project, "broken");
        BuildAssert.OutputContains(result, "ünïcode.yaml(8,22): error AD1015: ");
    }

    [Fact]
    public void A_model_file_that_is_a_fifo_fails_at_once_instead_of_hanging()
    {
        var project = sdk.CreateProject("FifoModel")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("main.c", "int main(void) { return 0; }\n");
        Directory.CreateDirectory(project.PathOf("models"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [project.PathOf("models/tiny.yaml")])) mkfifo.WaitForExit();

        // A reader that opens the FIFO blocks until a writer comes: the build would never end.
        var started = DateTime.UtcNow;
        var result = sdk.StartDotnet(project.Directory, "build", project.ProjectFile, "-v:m").WaitForExit(TimeSpan.FromMinutes(3));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMinutes(3), "the build hung on the FIFO:\n" + result.Output);
        AssertCleanFailure(result, project, "tiny");
        BuildAssert.OutputMatches(result, @"models[/\\]tiny\.yaml\(\d+,\d+\): error AD\d{4}: ");
    }

    [Fact]
    public void Control_characters_in_a_model_file_name_reach_the_log_escaped()
    {
        var project = sdk.CreateProject("EscapeInFileName")
            .WithProjectFile("models/*.yaml")
            .WithFile("models/m\u001b[31m\u0007x.yaml", TestModels.BrokenModel)
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build();

        AssertCleanFailure(result, project, "broken");
        Assert.DoesNotContain('\u0007', result.Output);
        BuildAssert.OutputContains(result, @"m\u001b[31m\u0007x.yaml(8,22): error AD1015: ");
    }
}
