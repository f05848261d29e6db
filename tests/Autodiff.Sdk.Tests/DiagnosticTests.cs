namespace Autodiff.Sdk.Tests;

/// <summary>DESIGN §8: errors carry a code and a position, and no input makes a task crash.</summary>
[Collection(SdkCollection.Name)]
public sealed class DiagnosticTests(SdkPackageFixture sdk)
{
    [Fact]
    public void A_broken_model_is_reported_at_its_file_line_and_column()
    {
        var project = sdk.CreateProject("BrokenModel")
            .WithProjectFile("models/broken.yaml")
            .WithFile("models/broken.yaml", TestModels.BrokenModel)
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build();

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"models[/\\]broken\.yaml\(\d+,\d+\): error AD1\d{3}: ");
    }

    [Fact]
    public void Invalid_yaml_is_reported_at_its_position()
    {
        var project = sdk.CreateProject("InvalidYaml")
            .WithProjectFile("models/bad.yaml")
            .WithFile("models/bad.yaml", "autodiff: 1\nname: [unclosed\n")
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build();

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"models[/\\]bad\.yaml\(\d+,\d+\): error AD1\d{3}: ");
    }

    [Fact]
    public void A_missing_model_file_is_an_error_not_a_crash()
    {
        var project = sdk.CreateProject("MissingModel")
            .WithProjectFile("models/absent.yaml")
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build();

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"error AD\d{4}: .*absent\.yaml");
    }

    [Fact]
    public void A_C_error_is_reported_at_its_file_and_line()
    {
        var project = sdk.CreateProject("CError")
            .WithProjectFile()
            .WithFile("main.c", "int main(void)\n{\n    return undefined_name;\n}\n");

        var result = project.Build();

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"main\.c\(3,\d+\): error AD4101: .*undefined_name");
    }

    [Fact]
    public void An_unknown_board_lists_the_known_boards()
    {
        var project = sdk.CreateProject("UnknownBoard")
            .WithProjectFile()
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build("-p:Board=no_such_board");

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"error AD4001: unknown board 'no_such_board'\. Known boards: .*host.*stm32f4");
    }

    [Fact]
    public void An_invalid_kernels_choice_is_an_error()
    {
        var project = sdk.CreateProject("BadKernels")
            .WithProjectFile()
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build("-p:AutodiffKernels=fastest");

        BuildAssert.Failed(result);
        BuildAssert.OutputContains(result, "error AD4003");
    }

    [Fact]
    public void An_invalid_fuse_updates_value_is_an_error()
    {
        var project = sdk.CreateProject("BadFuseUpdates")
            .WithProjectFile()
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build("-p:AutodiffFuseUpdates=sometimes");

        BuildAssert.Failed(result);
        BuildAssert.OutputContains(result, "error AD4003: AutodiffFuseUpdates must be true or false, not 'sometimes'");
    }

    [Fact]
    public void A_user_board_directory_adds_boards()
    {
        var project = sdk.CreateProject("UserBoard")
            .WithProjectFile()
            .WithFile("main.c", "int main(void) { return 0; }\n")
            .WithFile("boards/bigmachine/board.yaml", """
                name: bigmachine
                description: the host with a declared 2 GiB budget
                toolchain: host
                ram: { bytes: 2G, address: 0 }
                budget: 2G
                """);

        var result = project.Build("-p:Board=bigmachine", "-p:AutodiffBoardsDirectory=" + project.PathOf("boards"));

        BuildAssert.Succeeded(result);
        Assert.True(Directory.Exists(project.OutputDirectory("bigmachine")));
    }
}
