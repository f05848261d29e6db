using System.Text.RegularExpressions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// The model report and the firmware's output (-t:Run) are logged at high importance, so the console
/// logger shows them at its default verbosity, the terminal logger shows them with the samples'
/// Directory.Build.rsp (-tlp:verbosity=detailed), and -v:q leaves only errors.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed partial class LoggerOutputTests(SdkPackageFixture sdk)
{
    private const string ReportLine = "Autodiff: tiny (board host";
    private const string FirmwareLine = "tiny step 4 loss";

    [Fact]
    public void Terminal_logger_shows_report_and_firmware_output_with_the_samples_response_file()
    {
        var project = TinyProject("LoggerTl", exitCode: 0);
        File.Copy(Path.Combine(sdk.RepositoryRoot, "samples", "Directory.Build.rsp"),
            Path.Combine(Path.GetDirectoryName(project.Directory)!, "Directory.Build.rsp"));

        var result = project.Build("-t:Run", "-tl:on");

        BuildAssert.Succeeded(result);
        var shown = Plain(result.Output);
        Assert.True(shown.Contains(ReportLine, StringComparison.Ordinal), "no report line under -tl:on:\n" + shown);
        Assert.True(shown.Contains(FirmwareLine, StringComparison.Ordinal), "no firmware output under -tl:on:\n" + shown);
    }

    [Fact]
    public void Console_logger_shows_report_and_firmware_output()
    {
        var project = TinyProject("LoggerConsole", exitCode: 0);

        var result = project.Build("-t:Run", "-tl:off");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, ReportLine);
        BuildAssert.OutputContains(result, FirmwareLine);
    }

    [Fact]
    public void Quiet_verbosity_shows_only_errors()
    {
        var passing = TinyProject("LoggerQuiet", exitCode: 0);
        var failing = TinyProject("LoggerQuietFails", exitCode: 3);

        var quiet = passing.Build("-t:Run", "-tl:off", "-v:q");
        var failed = failing.Build("-t:Run", "-tl:off", "-v:q");

        BuildAssert.Succeeded(quiet);
        Assert.DoesNotContain(ReportLine, quiet.Output);
        Assert.DoesNotContain(FirmwareLine, quiet.Output);
        BuildAssert.Failed(failed);
        BuildAssert.OutputMatches(failed, @"error AD4402: .*exited with code 3");
        Assert.DoesNotContain(ReportLine, failed.Output);
    }

    private FirmwareProject TinyProject(string name, int exitCode) =>
        sdk.CreateProject(name)
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(exitCode, "tiny"));

    /// <summary>The terminal logger's text without its colours, cursor moves and progress codes.</summary>
    private static string Plain(string output) => AnsiCodes().Replace(output, "");

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")]
    private static partial Regex AnsiCodes();
}
