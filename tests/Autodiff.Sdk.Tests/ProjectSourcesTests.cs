namespace Autodiff.Sdk.Tests;

/// <summary>
/// The project's own sources, found like an SDK-style project finds them: C and C++ by default,
/// nested projects' folders left alone. Needs arm-none-eabi-gcc/g++ with newlib and qemu-system-arm.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class ProjectSourcesTests(SdkPackageFixture sdk)
{
    [Fact]
    public void A_folder_with_a_nested_project_and_a_cpp_source_builds_and_runs_with_no_extra_properties()
    {
        // pretrain/ holds a tool with a project of its own: its sources must not reach the firmware.
        var project = sdk.CreateProject("MixedSources")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("pretrain/Pretrain.proj", "<Project Sdk=\"Autodiff.Sdk\" />\n")
            .WithFile("pretrain/pretrain.c", "#error \"pretrain.c belongs to Pretrain.proj\"\n")
            .WithFile("pretrain/tool/helper.cpp", "#error \"helper.cpp belongs to Pretrain.proj\"\n")
            .WithFile("scale.c", "float scale(float v);\nfloat scale(float v) { return v * 0.25f; }\n")
            .WithFile("main.cpp", """
                #include <cstdio>

                #include "tiny.h" // extern "C": the model is C

                extern "C" float scale(float v);

                namespace {
                template <int N> struct Batch {
                    float x[N * tiny_INPUT_SIZE];
                    float y[N * tiny_TARGET_SIZE];
                };
                Batch<tiny_BATCH> batch;
                }

                int main()
                {
                    for (int i = 0; i < tiny_BATCH * tiny_INPUT_SIZE; i++) batch.x[i] = scale(static_cast<float>(i % 5));
                    for (int i = 0; i < tiny_BATCH; i++) batch.y[i * tiny_TARGET_SIZE + i % tiny_TARGET_SIZE] = 1.0f;
                    tiny_init();
                    for (int step = 0; step < 3; step++) std::printf("c++ step %d loss %.4f\n", step, static_cast<double>(tiny_train_step(batch.x, batch.y)));
                    return 0;
                }
                """);

        var result = project.Build("-p:Board=stm32f4", "-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "c++ step 2 loss");
        Assert.DoesNotContain("belongs to Pretrain.proj", result.Output);
        Assert.True(File.Exists(Path.Combine(project.ObjectDirectory("stm32f4"), "project", "main.cpp.o")) ||
                    Directory.EnumerateFiles(project.ObjectDirectory("stm32f4"), "main.cpp.o", SearchOption.AllDirectories).Any(),
            "main.cpp was not compiled");
    }
}
