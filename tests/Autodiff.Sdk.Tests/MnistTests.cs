using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// The MNIST sample (samples/mnist): training on real digits inside the emulated stm32f4. The
/// digits are not in the repository; the training test needs AUTODIFF_MNIST_DIR, the folder of
/// the gzip IDX files of the MNIST test set, and without it is reported as skipped.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class MnistTests(SdkPackageFixture sdk, ITestOutputHelper output)
{
    private const string MnistVariable = "AUTODIFF_MNIST_DIR";
    private const double RequiredAccuracyPercent = 85.0;
    private const long Stm32f4RamBytes = 128 * 1024;
    private const long Stm32f4BudgetBytes = 114688;

    [SkippableFact]
    public void Mnist_sample_trains_in_qemu_within_128_KiB_and_reaches_85_percent_when_AUTODIFF_MNIST_DIR_is_set()
    {
        var mnistDirectory = Environment.GetEnvironmentVariable(MnistVariable);
        Skip.If(string.IsNullOrWhiteSpace(mnistDirectory),
            $"{MnistVariable} is not set; set it to the folder holding t10k-images-idx3-ubyte.gz and " +
            "t10k-labels-idx1-ubyte.gz (the MNIST test set) to train the MNIST sample in QEMU");
        var project = sdk.CreateProject("Mnist").WithCopyOf("samples/mnist");

        var clock = Stopwatch.StartNew();
        // The folder reaches the build the way CI gives it, through the inherited environment variable.
        var result = project.Build("-p:Board=stm32f4", "-t:Run");
        clock.Stop();

        BuildAssert.Succeeded(result);
        BuildAssert.OutputMatches(result, @"Mnist\.elf in QEMU \(netduinoplus2\) exited with code 0");

        var accuracy = Match(result, @"^\s*accuracy: (\d+(?:\.\d+)?)%");
        Assert.True(accuracy >= RequiredAccuracyPercent, $"held-out accuracy {accuracy}% is below {RequiredAccuracyPercent}%:\n{result.Output}");

        // What the firmware itself says its arena is, against the model budget of the board.
        BuildAssert.OutputMatches(result, @"Autodiff: mnist_mlp \(board stm32f4, 131072 B RAM, budget 114688 B\)");
        var arena = Match(result, @"arena (\d+) bytes");
        Assert.True(arena <= Stm32f4BudgetBytes, $"arena {arena} B exceeds the stm32f4 budget of {Stm32f4BudgetBytes} B");

        // Everything the firmware keeps in RAM, measured from the linked image.
        var ramKiB = Match(result, @"\.data\+\.bss ([\d.]+) KiB / 128 KiB RAM");
        var flashKiB = Match(result, @"\.text ([\d.]+) KiB / 1024 KiB flash");
        Assert.True(ramKiB * 1024 <= Stm32f4RamBytes, $".data+.bss {ramKiB} KiB exceeds 128 KiB");

        output.WriteLine($"MNIST on stm32f4 (QEMU): accuracy {accuracy}%, arena {arena} B, .data+.bss {ramKiB} KiB, " +
                         $".text {flashKiB} KiB, build and run {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Mnist_sample_without_digits_says_it_is_skipped_and_runs_successfully()
    {
        var project = sdk.CreateProject("Mnist").WithCopyOf("samples/mnist");

        // An empty global property wins over the environment variable, as if it were unset.
        var result = project.Build("-t:Run", "-p:MnistDirectory=");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, $"{MnistVariable} is not set");
        BuildAssert.OutputContains(result, "MNIST sample skipped");
        BuildAssert.OutputContains(result, "arena");
    }

    [Fact]
    public void Mnist_sample_with_a_folder_lacking_the_digits_fails_and_names_the_files()
    {
        var project = sdk.CreateProject("Mnist").WithCopyOf("samples/mnist");

        var result = project.Build("-p:MnistDirectory=" + project.PathOf("no-digits-here"));

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"error MNIST01: .*t10k-images-idx3-ubyte\.gz");
    }

    private static double Match(ProcessResult result, string pattern)
    {
        var match = Regex.Match(result.Output, pattern, RegexOptions.Multiline);
        Assert.True(match.Success, $"expected the build output to match /{pattern}/:\n{result.Output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
