namespace Autodiff.Sdk.Tests;

/// <summary>Errors carry a code and a position, and no input makes a task crash.</summary>
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

    /// <summary>
    /// A model name is the model's own text: quoted in the duplicate-name error it must not forge a
    /// diagnostic line of its own (a newline in the name) nor flood the log.
    /// </summary>
    [Fact]
    public void A_duplicate_hostile_model_name_is_quoted_escaped_and_cut_short()
    {
        var hostile = "\"tiny\\nforged.yaml(1,1): error AD0000: forged " + new string('x', 5000) + "\"";
        var model = TestModels.BrokenModel.Replace("name: broken", "name: " + hostile);
        var project = sdk.CreateProject("HostileDuplicate")
            .WithProjectFile("models/a.yaml", "models/b.yaml")
            .WithFile("models/a.yaml", model)
            .WithFile("models/b.yaml", model)
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var result = project.Build();

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"b\.yaml\(2,7\): error AD4020: model name 'tiny\\u000aforged\.yaml");
        Assert.DoesNotMatch(@"(?m)^\s*forged\.yaml\(1,1\): error AD0000", result.Output);
        Assert.DoesNotContain(new string('x', 200), result.Output);
    }

    /// <summary>
    /// A model named after a header the toolchain ships (glibc's features.h on the host, newlib's
    /// alloca.h on Arm) would hide it from every source: one positioned error, before compiling.
    /// </summary>
    [SkippableTheory]
    [InlineData("host", "features")]
    [InlineData("stm32f4", "alloca")]
    public void A_model_name_that_hides_a_toolchain_header_is_refused_at_the_name(string board, string name)
    {
        Skip.If(board != "host" && !OnPath("arm-none-eabi-gcc"), "arm-none-eabi-gcc not found (Debian/Ubuntu: gcc-arm-none-eabi)");
        var project = sdk.CreateProject("HiddenHeader" + name)
            .WithProjectFile("models/m.yaml")
            .WithFile("models/m.yaml", TestModels.Classifier(name))
            .WithFile("main.c", "#include <stdio.h>\nint main(void) { return 0; }\n");

        var result = project.Build("-p:Board=" + board);

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"m\.yaml\(2,7\): error AD4023: model name '" + name + @"' would generate " + name + @"\.h, which hides the toolchain's header '[^']*" + name + @"\.h'");
        Assert.DoesNotContain("AD4101", result.Output);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));

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
    public void A_user_board_directory_adds_boards_and_another_folder_with_the_same_board_regenerates()
    {
        var project = sdk.CreateProject("UserBoard")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"))
            .WithFile("boards/bigmachine/board.yaml", """
                name: bigmachine
                description: the host with a declared 2 GiB budget
                toolchain: host
                ram: { bytes: 2G, address: 0 }
                budget: 2G
                """)
            .WithFile("other-boards/bigmachine/board.yaml", """
                name: bigmachine
                description: the host with a declared 1.5 GiB budget
                toolchain: host
                ram: { bytes: 2G, address: 0 }
                budget: 1536M
                """);
        // Older than anything the first build writes: only its path and content tell it apart.
        File.SetLastWriteTimeUtc(project.PathOf("other-boards/bigmachine/board.yaml"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var result = project.Build("-p:Board=bigmachine", "-p:AutodiffBoardsDirectory=" + project.PathOf("boards"));
        var other = project.Build("-p:Board=bigmachine", "-p:AutodiffBoardsDirectory=" + project.PathOf("other-boards"));

        BuildAssert.Succeeded(result);
        Assert.True(Directory.Exists(project.OutputDirectory("bigmachine")));
        BuildAssert.OutputMatches(result, @"Autodiff: tiny \(board bigmachine, \d+ B RAM, budget 2147483648 B\)");
        BuildAssert.Succeeded(other);
        BuildAssert.OutputMatches(other, @"Autodiff: tiny \(board bigmachine, \d+ B RAM, budget 1610612736 B\)");
    }

    [Fact]
    public void A_link_error_is_reported_at_its_source_line_and_leaves_no_image_behind()
    {
        // --noinhibit-exec makes ld write the image despite the error and exit 0, so only the error
        // it printed fails the step; the image must not survive to make the next build pass.
        var project = sdk.CreateProject("LinkError")
            .WithProjectFile()
            .WithFile("main.c", "int missing_symbol(void);\nint main(void)\n{\n    return missing_symbol();\n}\n");
        var image = Path.Combine(project.OutputDirectory(), "LinkError" + (OperatingSystem.IsWindows() ? ".exe" : ""));

        var first = project.Build("-p:AutodiffLdFlags=-Xlinker --noinhibit-exec");
        var imageAfterFailure = File.Exists(image);
        var second = project.Build("-p:AutodiffLdFlags=-Xlinker --noinhibit-exec");

        BuildAssert.Failed(first);
        BuildAssert.OutputMatches(first, @"main\.c\(4\): error AD4201: undefined reference to .missing_symbol'");
        Assert.False(imageAfterFailure, "the image of the failed link was left behind");
        BuildAssert.Failed(second);
    }

    [Fact]
    public void An_output_folder_that_is_a_file_is_an_error_not_a_crash()
    {
        var project = sdk.CreateProject("OutputIsFile")
            .WithProjectFile()
            .WithFile("main.c", "int main(void) { return 0; }\n")
            .WithFile("bin/Debug/host", "a file where the output folder goes\n");

        var result = project.Build();

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"error AD4\d{3}: cannot create the folder .*bin[/\\]Debug[/\\]host");
    }

    [Fact]
    public void A_budget_beyond_the_range_of_sizes_is_an_invalid_property()
    {
        var project = sdk.CreateProject("HugeBudget")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));

        var result = project.Build("-p:AutodiffRamBudget=99999999999G");

        BuildAssert.Failed(result);
        BuildAssert.OutputContains(result, "error AD4003: AutodiffRamBudget must be a byte count");
    }

    [Fact]
    public void Run_reports_an_invalid_timeout_and_a_missing_image()
    {
        var project = sdk.CreateProject("RunChecks")
            .WithProjectFile()
            .WithFile("main.c", "int main(void) { return 0; }\n");

        var badTimeout = project.Build("-t:Run", "-p:AutodiffRunTimeout=abc");
        // A design-time build only evaluates, so nothing is linked for Run to find.
        File.Delete(Path.Combine(project.OutputDirectory(), "RunChecks" + (OperatingSystem.IsWindows() ? ".exe" : "")));
        var noImage = project.Build("-t:Run", "-p:DesignTimeBuild=true");

        BuildAssert.Failed(badTimeout);
        BuildAssert.OutputContains(badTimeout, "error AD4003: AutodiffRunTimeout must be a whole number of seconds");
        BuildAssert.Failed(noImage);
        BuildAssert.OutputMatches(noImage, @"error AD4404: there is no firmware to run: .*RunChecks");
    }
}
