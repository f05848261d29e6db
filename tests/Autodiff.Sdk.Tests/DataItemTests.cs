namespace Autodiff.Sdk.Tests;

/// <summary>
/// AutodiffData items: .npy files become const arrays (float32, int8, uint8, 1-bit packed) with a
/// generated header, regenerated like models only when the file, the item's metadata or the SDK
/// changed, and removed with the item or by Clean.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class DataItemTests(SdkPackageFixture sdk)
{
    private const string Items = """
            <AutodiffData Include="data/weights.npy" />
            <AutodiffData Include="data/labels.npy" />
            <AutodiffData Include="data/pixels.npy" Pack="bits" Threshold="128" />
            <AutodiffData Include="data/offsets.npy" Symbol="offsets" First="1" Count="2" />
        """;

    /// <summary>Checks every array and macro and exits 0 only when all are as written by the test.</summary>
    private const string CheckingMain = """
        #include <stdio.h>
        #include <string.h>
        #include "labels.h"
        #include "offsets.h"
        #include "pixels.h"
        #include "weights.h"

        int main(void)
        {
            static const float expected[] = { 0.5f, -1.25f, 3.0f, 1e-5f, 0.0f, -2.0f };
            if (WEIGHTS_COUNT != 2u || WEIGHTS_SAMPLE_ELEMENTS != 3u || WEIGHTS_BYTES != 24u || WEIGHTS_RANK != 2 ||
                memcmp(weights, expected, sizeof expected) != 0) return 1;
            if (LABELS_COUNT != 4u || LABELS_SAMPLE_ELEMENTS != 1u || labels[0] != 7 || labels[3] != 9) return 2;
            if (PIXELS_COUNT != 2u || PIXELS_SAMPLE_BYTES != 2u || PIXELS_DIM1 != 10u ||
                pixels[0] != 0xA0 || pixels[1] != 0x40 || pixels[2] != 0 || pixels[3] != 0) return 3;
            if (OFFSETS_COUNT != 2u || OFFSETS_FIRST != 1u || offsets[0] != -3 || offsets[1] != 127) return 4;
            printf("data in flash: ok\n");
            return 0;
        }
        """;

    [Fact]
    public void Npy_files_become_const_arrays_with_headers_the_firmware_reads()
    {
        var project = DataProject("DataArrays");

        var result = project.Build("-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "data in flash: ok");
        var source = File.ReadAllText(DataFile(project, "weights.c"));
        Assert.Contains("const float weights[6u] = {", source);
    }

    [Fact]
    public void Data_regenerates_only_when_its_file_or_metadata_changes_and_is_removed_with_its_item_and_by_clean()
    {
        var project = DataProject("DataIncremental");
        BuildAssert.Succeeded(project.Build());
        var first = FirmwareProject.Timestamps(DataDirectory(project));

        BuildAssert.Succeeded(project.Build());
        Assert.Equal(first, FirmwareProject.Timestamps(DataDirectory(project)));

        // A touched file regenerates its item alone; a header whose text is the same keeps its time.
        Thread.Sleep(1100);
        File.SetLastWriteTimeUtc(project.PathOf("data/labels.npy"), DateTime.UtcNow);
        BuildAssert.Succeeded(project.Build());
        var touched = FirmwareProject.Timestamps(DataDirectory(project));
        Assert.NotEqual(first["labels.c"], touched["labels.c"]);
        Assert.Equal(first["labels.h"], touched["labels.h"]);
        Assert.Equal(first["weights.c"], touched["weights.c"]);

        // Changed metadata regenerates: from 250 up, only the 255 (third element) sets its bit.
        WriteProject(project, Items.Replace("Threshold=\"128\"", "Threshold=\"250\""));
        BuildAssert.Succeeded(project.Build());
        Assert.Contains("\n    32, 0, 0, 0,", File.ReadAllText(DataFile(project, "pixels.c")));

        // A removed item takes its files with it; Clean removes the folder.
        WriteProject(project, Items.Replace("""<AutodiffData Include="data/pixels.npy" Pack="bits" Threshold="128" />""", ""));
        project.WithFile("main.c", "int main(void) { return 0; }\n");
        BuildAssert.Succeeded(project.Build());
        Assert.False(File.Exists(DataFile(project, "pixels.h")), "the header of a removed item survived");
        Assert.False(File.Exists(DataFile(project, "pixels.c")), "the source of a removed item survived");
        BuildAssert.Succeeded(project.Clean());
        Assert.False(Directory.Exists(DataDirectory(project)), "Clean left the generated data");
    }

    [Fact]
    public void Bad_data_items_fail_with_their_codes()
    {
        var project = DataProject("DataErrors").WithFile("main.c", "int main(void) { return 0; }\n");

        WriteProject(project, """<AutodiffData Include="data/weights.npy" ElementType="int8" />""");
        var notExact = project.Build();
        WriteProject(project, """<AutodiffData Include="data/missing.npy" />""");
        var missing = project.Build();
        WriteProject(project, """<AutodiffData Include="data/labels.npy" Pack="rle" />""");
        var badPack = project.Build();
        WriteProject(project, """<AutodiffData Include="data/labels.npy" /><AutodiffData Include="data/offsets.npy" Symbol="labels" />""");
        var twice = project.Build();
        project.WithFile("data/text.npy", "not numpy");
        WriteProject(project, """<AutodiffData Include="data/text.npy" />""");
        var notNpy = project.Build();

        BuildAssert.Failed(notExact);
        BuildAssert.OutputMatches(notExact, @"error AD4504: AutodiffData 'data/weights\.npy' holds 0\.5 at flat index 0, which int8 cannot hold exactly");
        BuildAssert.Failed(missing);
        BuildAssert.OutputMatches(missing, @"error AD4501: AutodiffData 'data/missing\.npy' does not exist");
        BuildAssert.Failed(badPack);
        BuildAssert.OutputMatches(badPack, @"error AD4503: AutodiffData 'data/labels\.npy': Pack 'rle' is not one of none, bits");
        BuildAssert.Failed(twice);
        BuildAssert.OutputMatches(twice, @"error AD4505: .*both make the C symbol 'labels'");
        BuildAssert.Failed(notNpy);
        BuildAssert.OutputMatches(notNpy, @"error AD4502: AutodiffData 'data/text\.npy' is not a \.npy file");
    }

    private FirmwareProject DataProject(string name)
    {
        var project = sdk.CreateProject(name)
            .WithBytes("data/weights.npy", TestNpy.Float32([2, 3], 0.5f, -1.25f, 3.0f, 1e-5f, 0.0f, -2.0f))
            .WithBytes("data/labels.npy", TestNpy.UInt8([4], 7, 1, 0, 9))
            .WithBytes("data/pixels.npy", TestNpy.UInt8([2, 10], 200, 0, 255, 0, 0, 0, 0, 0, 0, 130, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127))
            .WithBytes("data/offsets.npy", TestNpy.Int8([4], 100, -3, 127, -128))
            .WithFile("main.c", CheckingMain);
        WriteProject(project, Items);
        return project;
    }

    private static void WriteProject(FirmwareProject project, string items) =>
        project.WithFile(Path.GetFileName(project.ProjectFile), $"""
            <Project Sdk="Autodiff.Sdk">
              <ItemGroup>
            {items}
              </ItemGroup>
            </Project>
            """);

    private static string DataDirectory(FirmwareProject project) => project.PathOf("obj/Debug/autodiff-data");

    private static string DataFile(FirmwareProject project, string name) => Path.Combine(DataDirectory(project), name);
}
