namespace Autodiff.Sdk.Tests;

/// <summary>Small models and firmware sources for the end-to-end tests.</summary>
public static class TestModels
{
    /// <summary>A two-layer classifier named <paramref name="name"/>; <paramref name="learningRate"/> lets a test change it.</summary>
    public static string Classifier(string name, string learningRate = "0.1") => $$"""
        autodiff: 1
        name: {{name}}
        inputs:
          x: [4]
          y: [3]
        batch: 2
        layers:
          - linear: { units: 8, name: fc1 }
          - relu
          - linear: { units: 3, name: fc2 }
          - log_softmax
        loss: { nll: { target: y } }
        optimizer: { sgd: { lr: {{learningRate}} } }
        init: { seed: 3 }
        """;

    /// <summary>
    /// A classifier with a residual add, so it uses the elementwise family, which has CMSIS kernels,
    /// and 16 inputs, the narrowest layer the armv7em kernels run assembly for.
    /// </summary>
    public static string ResidualClassifier(string name, string learningRate = "0.1") => $$"""
        autodiff: 1
        name: {{name}}
        inputs:
          x: [16]
          y: [3]
        batch: 2
        layers:
          - linear: { units: 16, name: h }
          - add: { in: [h, x] }
          - relu
          - linear: { units: 3, name: out }
          - log_softmax
        loss: { nll: { target: y } }
        optimizer: { sgd: { lr: {{learningRate}} } }
        init: { seed: 3 }
        """;

    /// <summary>A model whose second layer has a bad unit count, on line 8.</summary>
    public const string BrokenModel = """
        autodiff: 1
        name: broken
        inputs:
          x: [4]
          y: [3]
        batch: 2
        layers:
          - linear: { units: many, name: fc1 }
          - log_softmax
        loss: { nll: { target: y } }
        optimizer: { sgd: { lr: 0.1 } }
        """;

    /// <summary>main.c that trains each named model for a few steps and returns <paramref name="exitCode"/>.</summary>
    public static string MainTraining(int exitCode, params string[] models)
    {
        var includes = string.Join("\n", models.Select(m => $"#include \"{m}.h\""));
        var steps = string.Join("\n", models.Select(m => $$"""
                {
                    static float x[{{m}}_BATCH * {{m}}_INPUT_SIZE];
                    static float y[{{m}}_BATCH * {{m}}_TARGET_SIZE];
                    int i;
                    for (i = 0; i < {{m}}_BATCH * {{m}}_INPUT_SIZE; i++) x[i] = (float)(i % 5) * 0.25f;
                    for (i = 0; i < {{m}}_BATCH; i++) y[i * {{m}}_TARGET_SIZE + i % {{m}}_TARGET_SIZE] = 1.0f;
                    {{m}}_init();
                    for (i = 0; i < 5; i++) printf("{{m}} step %d loss %.4f\n", i, (double){{m}}_train_step(x, y));
                }
            """));
        return $$"""
            #include <stdio.h>
            {{includes}}

            int main(void)
            {
            {{steps}}
                return {{exitCode}};
            }
            """;
    }
}
