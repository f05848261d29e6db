using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// The transfer-learning sample (samples/transfer): one `dotnet build -t:Run` pretrains the model on
/// the host with every layer trainable, writes its weights and calibration samples, then builds the
/// device firmware with the backbone frozen and int8 and trains its head on new classes in QEMU.
/// On stm32f4 the int8 backbone runs kernels/armv7em/int8.c (what auto picks there). The MNIST run
/// needs AUTODIFF_MNIST_DIR; without it it is reported as skipped with the reason.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class TransferSampleTests(SdkPackageFixture sdk, ITestOutputHelper output)
{
    private const double RequiredAccuracyPercent = 90.0;
    private const double MaxInt8LossPercentagePoints = 1.0;

    [Fact]
    public void Gestures_pretrain_on_the_host_and_new_ones_learn_on_stm32f4_with_an_armv7em_int8_backbone_as_well_as_with_float()
    {
        var project = Sample();

        var clock = Stopwatch.StartNew();
        var int8 = project.Build("-p:Board=stm32f4", "-t:Run");
        var int8Seconds = clock.Elapsed.TotalSeconds;
        BuildAssert.Succeeded(int8);
        BuildAssert.OutputContains(int8, "pretraining (gestures) on the host");
        BuildAssert.OutputMatches(int8, @"wrote \d+ parameters and 256 calibration samples");
        BuildAssert.OutputMatches(int8, @"kernel families: int8 armv7em");
        BuildAssert.OutputMatches(int8, @"Transfer\.elf in QEMU \(netduinoplus2\) exited with code 0");
        var int8Accuracy = Accuracy(int8, "int8");
        Assert.True(int8Accuracy >= RequiredAccuracyPercent, $"int8 backbone: {int8Accuracy}% is below {RequiredAccuracyPercent}%");

        // The same file with the backbone float32: regenerated (a changed setting), not pretrained again.
        clock.Restart();
        var float32 = project.Build("-p:Board=stm32f4", "-t:Run", "-p:AutodiffQuantize=false");
        var floatSeconds = clock.Elapsed.TotalSeconds;
        BuildAssert.Succeeded(float32);
        Assert.DoesNotContain("pretraining (gestures)", float32.Output);
        Assert.DoesNotMatch(@"kernel families:[^\n]*int8", float32.Output);
        var floatAccuracy = Accuracy(float32, "float32");
        Assert.True(Math.Abs(int8Accuracy - floatAccuracy) <= MaxInt8LossPercentagePoints,
            $"int8 backbone {int8Accuracy}% against float32 {floatAccuracy}%: more than {MaxInt8LossPercentagePoints} points apart");

        output.WriteLine($"gestures on stm32f4: int8 {int8Accuracy}% ({int8Seconds:F0} s with pretraining), float32 {floatAccuracy}% ({floatSeconds:F0} s)");
    }

    [SkippableFact]
    public void Mnist_digits_0_to_4_pretrain_on_the_host_and_5_to_9_learn_on_stm32f4_when_AUTODIFF_MNIST_DIR_is_set()
    {
        Skip.If(string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AUTODIFF_MNIST_DIR")),
            "AUTODIFF_MNIST_DIR is not set; set it to the folder holding t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz to run the MNIST variant");
        var project = Sample();

        var clock = Stopwatch.StartNew();
        var result = project.Build("-p:Board=stm32f4", "-p:TransferData=mnist", "-t:Run");
        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "pretraining (mnist) on the host: digits 0-4");
        BuildAssert.OutputContains(result, "learning digits 5-9 on the device");
        var accuracy = Accuracy(result, "int8");
        Assert.True(accuracy >= RequiredAccuracyPercent, $"MNIST 5-9: {accuracy}% is below {RequiredAccuracyPercent}%");
        output.WriteLine($"MNIST 5-9 on stm32f4: int8 {accuracy}% ({clock.Elapsed.TotalSeconds:F0} s with pretraining)");
    }

    [Fact]
    public void Mnist_variant_without_digits_says_it_skipped_and_runs_successfully()
    {
        var project = Sample();

        // An empty global property wins over the environment variable, as if it were unset.
        var result = project.Build("-t:Run", "-p:TransferData=mnist", "-p:MnistDirectory=");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "AUTODIFF_MNIST_DIR is not set");
        BuildAssert.OutputContains(result, "transfer sample skipped");
        Assert.DoesNotContain("pretraining (mnist)", result.Output);
    }

    /// <summary>The sample with the MNIST sample beside it, whose digits its MNIST variant reads.</summary>
    private FirmwareProject Sample()
    {
        // Named as the sample, so the image is Transfer.elf; the label only names the folder.
        var project = sdk.CreateProject("Transfer").WithCopyOf("samples/transfer");
        var mnist = Path.Combine(Path.GetDirectoryName(project.Directory)!, "mnist");
        Directory.CreateDirectory(mnist);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(sdk.RepositoryRoot, "samples", "mnist"), "mnist_data.*").Append(
                     Path.Combine(sdk.RepositoryRoot, "samples", "mnist", "MnistData.targets")))
            File.Copy(file, Path.Combine(mnist, Path.GetFileName(file)));
        return project;
    }

    /// <summary>The held-out accuracy the device printed, checking which backbone it ran.</summary>
    private static double Accuracy(ProcessResult result, string backbone)
    {
        var match = Regex.Match(result.Output, $@"^\s*accuracy: (\d+(?:\.\d+)?)% \(\d+ of \d+ held-out, {backbone} backbone", RegexOptions.Multiline);
        Assert.True(match.Success, $"no accuracy line of the {backbone} backbone in the output:\n{result.Output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
