namespace Autodiff.Sdk.Tests;

/// <summary>
/// AutodiffTrainAll and AutodiffQuantize reach the engine from the command line, are checked once
/// (AD4003), and are part of each model's settings, so changing one regenerates.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class LoadOptionPropertyTests(SdkPackageFixture sdk)
{
    /// <summary>A device model whose weights folder and calibration samples do not exist yet.</summary>
    private const string Model = """
        autodiff: 1
        name: device
        inputs:
          x: [4]
          y: [2]
        calibration: pretrained/calibration.npy
        layers:
          - linear: { units: 6, name: embed, trainable: false, weights: pretrained, quantize: int8 }
          - relu: { quantize: int8 }
          - linear: { units: 2, name: head }
        loss: { mse: { target: y } }
        optimizer: { sgd: { lr: 0.1 } }
        """;

    private const string Main = """
        #include "device.h"
        int main(void)
        {
            static const float x[4] = { 1.0f, 0.5f, -0.5f, 0.25f }, y[2] = { 1.0f, 0.0f };
            device_init();
            return device_train_step(x, y) >= 0.0f ? 0 : 1;
        }
        """;

    [Fact]
    public void AutodiffTrainAll_builds_a_model_before_its_weights_exist_and_gives_host_builds_save_parameters()
    {
        var project = sdk.CreateProject("TrainAll").WithProjectFile("models/device.yaml")
            .WithFile("models/device.yaml", Model).WithFile("main.c", Main);

        var asWritten = project.Build();
        BuildAssert.Failed(asWritten);
        BuildAssert.OutputContains(asWritten, "error AD1030");

        var pretraining = project.Build("-t:Run", "-p:AutodiffTrainAll=true");
        BuildAssert.Succeeded(pretraining);
        var header = File.ReadAllText(Path.Combine(project.GeneratedDirectory(), "device", "device.h"));
        Assert.Contains("int device_save_parameters(const char *folder);", header);
        Assert.DoesNotContain("_s8(", GeneratedSource(project));
    }

    [Fact]
    public void AutodiffQuantize_false_keeps_the_frozen_layers_float_and_changing_it_regenerates()
    {
        var project = sdk.CreateProject("Quantize").WithProjectFile("models/device.yaml")
            .WithFile("models/device.yaml", Model.Replace("weights: pretrained, ", "")).WithFile("main.c", Main);

        // Frozen seeded weights, no calibration read: float32.
        var float32 = project.Build("-t:Run", "-p:AutodiffQuantize=false");
        BuildAssert.Succeeded(float32);
        Assert.DoesNotContain("_s8(", GeneratedSource(project));

        // Back to the file as written: int8, which needs the calibration samples.
        var int8 = project.Build("-p:AutodiffQuantize=true");
        BuildAssert.Failed(int8);
        BuildAssert.OutputContains(int8, "calibration file 'pretrained/calibration.npy' not found");
    }

    private static string GeneratedSource(FirmwareProject project) =>
        File.ReadAllText(Path.Combine(project.GeneratedDirectory(), "device", "device.c"));

    [Theory]
    [InlineData("AutodiffTrainAll", "maybe")]
    [InlineData("AutodiffQuantize", "int4")]
    public void A_value_that_is_not_true_or_false_is_AD4003(string property, string value)
    {
        var project = sdk.CreateProject("BadOption").WithProjectFile("models/device.yaml")
            .WithFile("models/device.yaml", Model).WithFile("main.c", Main);

        var result = project.Build($"-p:{property}={value}");

        BuildAssert.Failed(result);
        BuildAssert.OutputContains(result, $"error AD4003: {property} must be true or false, not '{value}'");
    }
}
