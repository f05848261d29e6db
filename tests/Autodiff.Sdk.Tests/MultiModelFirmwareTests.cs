using System.Text.RegularExpressions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// Several models in one firmware: one kernel implementation per family for all of them, one RAM
/// budget for all their arenas (AD3002 before anything compiles), and models of one ArenaGroup sharing
/// an arena. Needs arm-none-eabi-gcc with newlib and qemu-system-arm.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class MultiModelFirmwareTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Two_models_whose_own_choice_of_linear_kernels_differs_link_one_implementation_and_train()
    {
        // auto gives 'wide' (16 inputs) the armv7em linear kernels and 'narrow' (4 inputs) the portable ones.
        var project = sdk.CreateProject("MixedKernels")
            .WithProjectFile("models/narrow.yaml", "models/wide.yaml")
            .WithFile("models/narrow.yaml", TestModels.Classifier("narrow"))
            .WithFile("models/wide.yaml", TestModels.ResidualClassifier("wide"))
            .WithFile("main.c", TestModels.MainTraining(0, "narrow", "wide"));

        var result = project.Build("-p:Board=stm32f4", "-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "kernel family 'linear' is armv7em for every model of this firmware");
        BuildAssert.OutputContains(result, "narrow step 4 loss");
        BuildAssert.OutputContains(result, "wide step 4 loss");
    }

    [Fact]
    public void Two_models_over_the_budget_together_fail_before_compiling_and_fit_as_one_arena_group()
    {
        // Each about 66 KB: either fits stm32f4's 112 KiB budget alone, both together do not.
        var project = sdk.CreateProject("SharedArena")
            .WithFile("models/alpha.yaml", Wide("alpha"))
            .WithFile("models/beta.yaml", Wide("beta"))
            .WithFile("main.c", TestModels.MainTraining(0, "alpha", "beta"))
            .WithFile("SharedArena.proj", Project(group: null));

        var over = project.Build("-p:Board=stm32f4");

        BuildAssert.Failed(over);
        BuildAssert.OutputMatches(over, @"SharedArena\.proj\(3,5\): error AD3002: the models of this firmware need [\d,]+ B of RAM together but the budget on board 'stm32f4' is 114,688 B .*alpha [\d,]+ B \(50% of the total\); beta [\d,]+ B \(50% of the total\)\. Would fit: .*ArenaGroup.*not a lower AutodiffRamReserve");
        // One error (MSBuild repeats it in the summary).
        Assert.Single(over.Output.Split('\n').Where(l => l.Contains("error AD3002")).Select(l => l.Trim()).Distinct());
        Assert.DoesNotContain("AD3901", over.Output);
        Assert.False(File.Exists(Path.Combine(project.ObjectDirectory("stm32f4"), "compile.stamp")), "it compiled before failing");

        project.WithFile("SharedArena.proj", Project(group: "training"));
        var shared = project.Build("-p:Board=stm32f4", "-t:Run");

        BuildAssert.Succeeded(shared);
        BuildAssert.OutputContains(shared, "alpha step 4 loss");
        BuildAssert.OutputContains(shared, "beta step 4 loss");
        var map = File.ReadAllText(Path.Combine(project.OutputDirectory("stm32f4"), "SharedArena.map"));
        string Address(string model) => Regex.Match(map, $@"\.bss\.{model}_arena\s+0x([0-9a-f]+)").Groups[1].Value;
        Assert.NotEqual("", Address("alpha"));
        Assert.Equal(Address("alpha"), Address("beta"));
    }

    private static string Project(string? group)
    {
        var metadata = group is null ? "" : $" ArenaGroup=\"{group}\"";
        return $"""
            <Project Sdk="Autodiff.Sdk">
              <ItemGroup>
                <AutodiffModel Include="models/alpha.yaml"{metadata} />
                <AutodiffModel Include="models/beta.yaml"{metadata} />
              </ItemGroup>
            </Project>
            """;
    }

    private static string Wide(string name) => $$"""
        autodiff: 1
        name: {{name}}
        inputs:
          x: [256]
          y: [4]
        batch: 1
        layers:
          - linear: { units: 64, name: fc1 }
          - relu
          - linear: { units: 4, name: fc2 }
          - log_softmax
        loss: { nll: { target: y } }
        optimizer: { sgd: { lr: 0.01 } }
        init: { seed: 3 }
        """;
}
