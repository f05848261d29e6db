using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// The same generated code gives the same losses on the emulated boards as on the build machine:
/// with identical inputs and -std=c99 (which keeps gcc from contracting a*b+c into fused
/// multiply-adds on one target and not the other), the firmware's per-step losses in QEMU equal
/// the host's to a relative error of 1e-5.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class LossParityTests(SdkPackageFixture sdk, ITestOutputHelper output)
{
    private const int Steps = 40;
    private const double Tolerance = 1e-5;

    /// <summary>
    /// Every op family whose kernels call libm (tanh, sigmoid and log_softmax use expf/logf), and
    /// Adam (sqrtf and the bias corrections), so differences between glibc and newlib would show.
    /// </summary>
    private const string Model = """
        autodiff: 1
        name: parity
        inputs:
          x: [6]
          y: [3]
        batch: 4
        layers:
          - linear: { units: 12, name: fc1 }
          - tanh
          - linear: { units: 8, name: fc2 }
          - sigmoid
          - linear: { units: 3, name: out }
          - log_softmax
        loss: { nll: { target: y } }
        optimizer: { adam: { lr: 0.01 } }
        init: { seed: 11 }
        """;

    /// <summary>
    /// Inputs come from integer arithmetic only and are exact binary fractions, so every board
    /// starts from bit-identical data; the class is a function of the inputs, so the loss falls.
    /// </summary>
    private static readonly string Main = $$"""
        #include <stdint.h>
        #include <stdio.h>
        #include "parity.h"

        static float x[parity_BATCH * parity_INPUT_SIZE];
        static float y[parity_BATCH * parity_TARGET_SIZE];

        static uint32_t next(uint32_t *state)
        {
            *state = *state * 1664525u + 1013904223u;
            return *state >> 16;
        }

        int main(void)
        {
            uint32_t state = 2024u;
            int step;
            parity_init();
            for (step = 0; step < {{Steps}}; step++) {
                int n;
                int i;
                for (n = 0; n < parity_BATCH; n++) {
                    int sum = 0;
                    for (i = 0; i < parity_INPUT_SIZE; i++) {
                        int value = (int)(next(&state) % 17u) - 8;
                        sum += i % 2 == 0 ? value : -value;
                        x[n * parity_INPUT_SIZE + i] = (float)value / 8.0f;
                    }
                    for (i = 0; i < parity_TARGET_SIZE; i++) {
                        y[n * parity_TARGET_SIZE + i] = i == (sum < -3 ? 0 : sum > 3 ? 2 : 1) ? 1.0f : 0.0f;
                    }
                }
                printf("parity step %d loss %.9g\n", step, (double)parity_train_step(x, y));
            }
            return 0;
        }
        """;

    [Theory]
    [InlineData("stm32f4")]
    [InlineData("lm3s6965")]
    public void Losses_in_qemu_equal_the_host_losses_of_the_same_generated_code(string board)
    {
        var project = sdk.CreateProject("LossParity")
            .WithProjectFile("models/parity.yaml")
            .WithFile("models/parity.yaml", Model)
            .WithFile("main.c", Main);

        // Portable kernels on both sides: with CMSIS found, `auto` would give the board other
        // kernels (other summation orders), and the comparison is of the same code. Normal
        // verbosity shows each compiler command line.
        var host = project.Build("-t:Run", "-p:AutodiffKernels=portable", "-v:n");
        var device = project.Build("-t:Run", "-p:Board=" + board, "-p:AutodiffKernels=portable", "-v:n");

        BuildAssert.Succeeded(host);
        BuildAssert.Succeeded(device);
        CompiledAsC99(host);
        CompiledAsC99(device);
        var hostLosses = Losses(host);
        var deviceLosses = Losses(device);
        Assert.Equal(Steps, hostLosses.Length);
        Assert.Equal(Steps, deviceLosses.Length);
        Assert.True(hostLosses[^1] < hostLosses[0], $"the loss did not fall on the host: {hostLosses[0]} -> {hostLosses[^1]}");

        var worst = 0.0;
        for (var step = 0; step < Steps; step++)
        {
            var scale = Math.Max(Math.Abs(hostLosses[step]), Math.Abs(deviceLosses[step]));
            var relative = scale == 0 ? 0 : Math.Abs(hostLosses[step] - deviceLosses[step]) / scale;
            Assert.True(relative <= Tolerance,
                $"step {step}: host loss {hostLosses[step]:R}, {board} loss {deviceLosses[step]:R}, relative error {relative:E2} > {Tolerance:E0}");
            worst = Math.Max(worst, relative);
        }
        output.WriteLine($"{board} vs host over {Steps} steps: largest relative loss difference {worst:E2}; " +
                         $"loss {hostLosses[0]:G6} -> {hostLosses[^1]:G6}");
    }

    private static double[] Losses(ProcessResult result) =>
        Regex.Matches(result.Output, @"^\s*parity step (\d+) loss (\S+)\s*$", RegexOptions.Multiline)
            .Select(m => double.Parse(m.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture))
            .ToArray();

    /// <summary>Every compiler invocation in the log compiles as ISO C99.</summary>
    private static void CompiledAsC99(ProcessResult result)
    {
        var compiles = Regex.Matches(result.Output, @"^\s*\S*gcc\S* -c .*$", RegexOptions.Multiline).Select(m => m.Value).ToArray();
        Assert.NotEmpty(compiles);
        Assert.All(compiles, command => Assert.Contains(" -std=c99 ", command));
    }
}
