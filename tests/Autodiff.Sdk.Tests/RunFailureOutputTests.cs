namespace Autodiff.Sdk.Tests;

/// <summary>
/// When the firmware fails under -t:Run, the AD4402 error itself quotes the last lines the program
/// printed, so the failure is readable where the streamed output is not shown (-v:q) or is folded
/// away (the terminal logger); control characters are escaped and long lines cut.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class RunFailureOutputTests(SdkPackageFixture sdk)
{
    private const string Main = """
        #include <stdio.h>
        #include <string.h>

        int main(void)
        {
            for (int i = 1; i <= 4; i++) printf("line %d\n", i);
            printf("colour \x1b[31mred\x1b[0m and a bell\a\n");
            static char wide[1001];
            memset(wide, 'w', 1000);
            printf("%s\n", wide);
            printf("tab\there\n");
            printf("the last line before exit 3\n");
            return 3;
        }
        """;

    [Theory]
    [InlineData("-v:q", "-tl:off")]
    [InlineData("-v:m", "-tl:on")]
    public void A_failing_run_quotes_the_programs_last_lines_escaped_in_its_error(string verbosity, string logger)
    {
        var project = sdk.CreateProject("RunFailureTail")
            .WithProjectFile()
            .WithFile("main.c", Main);

        var result = project.Build("-t:Run", verbosity, logger);

        BuildAssert.Failed(result);
        // The terminal logger colours "error" and the code apart and starts a long message on its own line.
        var error = result.Output[result.Output.IndexOf("AD4402", StringComparison.Ordinal)..];
        Assert.Contains("RunFailureTail exited with code 3", error);
        Assert.Contains("| line 4", error);
        Assert.Contains(@"| colour \x1b[31mred\x1b[0m and a bell\x07", error);
        Assert.Contains("| tab\\there", error);
        Assert.Contains("| the last line before exit 3", error);
        // Five lines: the first three are gone, and the 1000-character line is cut.
        Assert.DoesNotContain("| line 3", error);
        Assert.Contains("… (cut, 1000 characters)", error);
        Assert.DoesNotContain(new string('w', 300), error);
        Assert.DoesNotContain("\x1b[31mred", error);
    }
}
