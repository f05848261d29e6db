namespace Autodiff.Sdk.Tests;

/// <summary>Assertions on builds that show the build's output when they fail.</summary>
public static class BuildAssert
{
    public static void Succeeded(ProcessResult result)
    {
        Assert.True(result.Succeeded, "the build failed:\n" + result.Output);
        NoCrashedTasks(result);
    }

    public static void Failed(ProcessResult result)
    {
        Assert.False(result.Succeeded, "the build should have failed:\n" + result.Output);
        NoCrashedTasks(result);
    }

    /// <summary>A task that throws shows up as MSB4018 (or as the SDK's own AD4999); neither may ever happen.</summary>
    public static void NoCrashedTasks(ProcessResult result)
    {
        Assert.DoesNotContain("MSB4018", result.Output);
        Assert.DoesNotContain("AD4999", result.Output);
    }

    public static void OutputContains(ProcessResult result, string expected) =>
        Assert.True(result.Output.Contains(expected, StringComparison.Ordinal),
            $"expected the build output to contain '{expected}':\n{result.Output}");

    public static void OutputMatches(ProcessResult result, string pattern) =>
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(result.Output, pattern, System.Text.RegularExpressions.RegexOptions.Multiline),
            $"expected the build output to match /{pattern}/:\n{result.Output}");
}
