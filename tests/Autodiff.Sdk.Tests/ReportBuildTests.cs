namespace Autodiff.Sdk.Tests;

/// <summary>The HTML report and .dot file are generated outputs like the C: same step, same incremental rules, same Clean.</summary>
[Collection(SdkCollection.Name)]
public sealed class ReportBuildTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Report_is_written_with_the_C_named_in_the_output_kept_on_a_no_change_build_and_cleaned()
    {
        var project = sdk.CreateProject("Report")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));
        var first = project.Build();
        BuildAssert.Succeeded(first);
        var report = Path.Combine(project.GeneratedDirectory(), "tiny", "tiny.report.html");
        Assert.True(File.Exists(report), "no report beside the generated C");
        Assert.True(File.Exists(Path.Combine(project.GeneratedDirectory(), "tiny", "tiny.dot")), "no .dot beside the generated C");
        BuildAssert.OutputContains(first, "report: " + report);
        var bytes = File.ReadAllBytes(report);
        var generated = FirmwareProject.Timestamps(project.GeneratedDirectory());

        // Nothing changed: the report is neither rewritten nor different.
        var second = project.Build();
        BuildAssert.Succeeded(second);
        BuildAssert.OutputContains(second, "report: " + report);
        var after = FirmwareProject.Timestamps(project.GeneratedDirectory());
        Assert.Equal(generated["tiny/tiny.report.html"], after["tiny/tiny.report.html"]);
        Assert.Equal(generated["tiny/tiny.dot"], after["tiny/tiny.dot"]);
        Assert.Equal(bytes, File.ReadAllBytes(report));

        // A deleted report is a missing generated file: the model is regenerated, to the same bytes.
        File.Delete(report);
        BuildAssert.Succeeded(project.Build());
        Assert.Equal(bytes, File.ReadAllBytes(report));

        // The model changed: regenerated with the C.
        project.WithFile("models/tiny.yaml", TestModels.Classifier("tiny", learningRate: "0.05"));
        BuildAssert.Succeeded(project.Build());
        Assert.True(File.GetLastWriteTimeUtc(report) > generated["tiny/tiny.report.html"], "the report was not regenerated with the model");

        BuildAssert.Succeeded(project.Clean());
        Assert.False(File.Exists(report), "Clean left the report");
    }

    [Fact]
    public void Over_budget_build_fails_with_AD3001_naming_the_report_it_still_writes()
    {
        var project = sdk.CreateProject("ReportOverBudget")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));
        var result = project.Build("-p:AutodiffRamBudget=64");
        BuildAssert.Failed(result);
        var report = Path.Combine(project.GeneratedDirectory(), "tiny", "tiny.report.html");
        BuildAssert.OutputContains(result, "error AD3001");
        BuildAssert.OutputContains(result, report);
        Assert.True(File.Exists(report), "an over-budget build wrote no report");
        Assert.Contains("class=\"budget\"", File.ReadAllText(report));
    }
}
