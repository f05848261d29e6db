using System.Text.Json;
using System.Text.RegularExpressions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// docs/boards.md: it lists every key of the board schema, and its worked STM32L4 board, taken from
/// the page as written, builds and trains in QEMU. Needs arm-none-eabi-gcc and qemu-system-arm.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class CustomBoardTests(SdkPackageFixture sdk)
{
    private string BoardsPage => File.ReadAllText(Path.Combine(sdk.RepositoryRoot, "docs", "boards.md"));

    [Fact]
    public void Boards_page_lists_exactly_the_keys_of_the_schema()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(sdk.RepositoryRoot, "sdk", "Autodiff.Sdk", "schema", "board.schema.json")));
        var keys = schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        var documented = Regex.Matches(BoardsPage, @"^\| `(?<key>[a-z_]+)` \|", RegexOptions.Multiline).Select(m => m.Groups["key"].Value).ToList();

        Assert.Equal(keys, documented);
    }

    [Fact]
    public void The_engine_enforces_the_schema_that_ships_with_the_boards()
    {
        var schemaFile = Path.Combine(sdk.RepositoryRoot, "sdk", "Autodiff.Sdk", "schema", "board.schema.json");
        Assert.Equal(File.ReadAllText(schemaFile), Autodiff.Engine.Boards.BoardSchema.Text);
        var boards = Path.Combine(sdk.WorkRoot, "schema-boards");
        Directory.CreateDirectory(Path.Combine(boards, "odd"));
        File.WriteAllText(Path.Combine(boards, "odd", "board.yaml"), "name: odd\ncpu: cortex-m4\nconsole: serial\nram: { bytes: 64K, size: 1 }\nqemu_uart: 12\n");
        var bag = new Autodiff.Engine.Diagnostics.DiagnosticBag();

        Assert.Null(Autodiff.Engine.Boards.BoardCatalog.Load(boards, "odd", bag));
        var errors = bag.Items.Select(d => $"{d.Code} {d.Location?.Line}: {d.Message}").ToList();
        Assert.Contains("AD4002 3: 'console' must be one of semihosting, uart, none", errors);
        Assert.Contains(errors, e => e.StartsWith("AD4002 4: unknown key 'size' in 'ram'", StringComparison.Ordinal));
        Assert.Contains("AD4002 5: 'qemu_uart' must be between 0 and 8", errors);
    }

    [Fact]
    public void The_stm32l4_board_of_the_boards_page_builds_and_trains_in_qemu()
    {
        var project = sdk.CreateProject("CustomBoard")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"))
            .WithFile("CustomBoard.proj", """
                <Project Sdk="Autodiff.Sdk">
                  <PropertyGroup>
                    <AutodiffBoardsDirectory>$(MSBuildThisFileDirectory)boards</AutodiffBoardsDirectory>
                  </PropertyGroup>
                  <ItemGroup>
                    <AutodiffModel Include="models/tiny.yaml" />
                  </ItemGroup>
                </Project>
                """);
        var files = Regex.Matches(BoardsPage, @"`(?<path>boards/stm32l4/[^`]+)`:\s*\n\s*```\w*\n(?<text>.*?)```", RegexOptions.Singleline);
        Assert.Equal(2, files.Count);
        foreach (Match file in files) project.WithFile(file.Groups["path"].Value, file.Groups["text"].Value);

        var result = project.Build("-p:Board=stm32l4", "-t:Run");

        BuildAssert.Succeeded(result);
        BuildAssert.OutputContains(result, "Autodiff: tiny (board stm32l4, 98304 B RAM, budget 81920 B)");
        BuildAssert.OutputContains(result, "tiny step 4 loss");
        BuildAssert.OutputMatches(result, @"CustomBoard\.elf in QEMU \(netduinoplus2\) exited with code 0");
    }
}
