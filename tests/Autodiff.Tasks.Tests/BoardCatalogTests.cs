using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;

namespace Autodiff.Tasks.Tests;

/// <summary>The board descriptions shipped in the SDK, read in-process (no build needed).</summary>
public sealed class BoardCatalogTests
{
    private static string BoardsDirectory =>
        Path.Combine(typeof(BoardCatalogTests).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AutodiffRepositoryRoot").Value!, "sdk", "Autodiff.Sdk", "boards");

    [Theory]
    [InlineData("host")]
    [InlineData("stm32f4")]
    [InlineData("lm3s6965")]
    [InlineData("stm32f7")]
    [InlineData("cortex-m7")]
    [InlineData("nrf52840")]
    [InlineData("rp2040")]
    public void Every_built_in_board_loads_cleanly(string name)
    {
        var bag = new DiagnosticBag();

        var board = BoardCatalog.Load(BoardsDirectory, name, bag);

        Assert.Empty(bag.Items);
        Assert.NotNull(board);
        Assert.Equal(name, board!.Name);
        Assert.All(board.Sources, s => Assert.True(File.Exists(s), s));
        if (board.Toolchain == BoardToolchain.ArmNoneEabi) Assert.True(File.Exists(board.LinkerScript));
    }

    [Fact]
    public void Stm32f4_has_the_datasheet_figures_and_runs_in_qemu()
    {
        var board = BoardCatalog.Load(BoardsDirectory, "stm32f4", new DiagnosticBag())!;

        Assert.Equal(128 * 1024, board.RamBytes);
        Assert.Equal(0x20000000, board.RamAddress);
        Assert.Equal(1024 * 1024, board.FlashBytes);
        Assert.Equal(0x08000000, board.FlashAddress);
        Assert.True(board.HasDsp);
        Assert.True(board.HasFpu);
        Assert.Equal("netduinoplus2", board.QemuMachine);
        Assert.Equal(114688, board.BudgetBytes());
        Assert.Equal(new[] { "-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard" }, board.ArchitectureFlags);
    }

    [Fact]
    public void Host_budget_defaults_to_one_gibibyte_and_follows_overrides()
    {
        var board = BoardCatalog.Load(BoardsDirectory, "host", new DiagnosticBag())!;

        Assert.Equal(1L << 30, board.BudgetBytes());
        Assert.Equal(4096, board.BudgetBytes(ramBudget: 4096));
        Assert.True(board.CanRun);
        Assert.Empty(board.ArchitectureFlags);
    }

    [Fact]
    public void Lm3s6965_uses_soft_float_and_build_only_boards_cannot_run()
    {
        var lm3s = BoardCatalog.Load(BoardsDirectory, "lm3s6965", new DiagnosticBag())!;
        var rp2040 = BoardCatalog.Load(BoardsDirectory, "rp2040", new DiagnosticBag())!;

        Assert.False(lm3s.HasFpu);
        Assert.Contains("-mfloat-abi=soft", lm3s.ArchitectureFlags);
        Assert.Equal("lm3s6965evb", lm3s.QemuMachine);
        Assert.False(rp2040.CanRun);
        Assert.Equal(0x10000000, rp2040.FlashAddress);
    }

    [Fact]
    public void An_unknown_board_is_AD4001_listing_the_known_ones()
    {
        var bag = new DiagnosticBag();

        Assert.Null(BoardCatalog.Load(BoardsDirectory, "nope", bag));

        var error = Assert.Single(bag.Items);
        Assert.Equal("AD4001", error.Code);
        Assert.Contains("stm32f4", error.Message);
    }

    [Fact]
    public void An_invalid_field_is_AD4002_at_its_line()
    {
        var folder = Path.Combine(Path.GetTempPath(), "autodiff-board-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(folder, "odd"));
        try
        {
            File.WriteAllText(Path.Combine(folder, "odd", "board.yaml"),
                "name: odd\ntoolchain: host\nram: { bytes: lots, address: 0 }\n");
            var bag = new DiagnosticBag();

            Assert.Null(BoardCatalog.Load(folder, "odd", bag));

            var error = Assert.Single(bag.Items);
            Assert.Equal("AD4002", error.Code);
            Assert.Equal(3, error.Location!.Line);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("131072", 131072)]
    [InlineData("0x20000000", 0x20000000)]
    [InlineData("128K", 131072)]
    [InlineData("1M", 1048576)]
    [InlineData("1G", 1073741824)]
    [InlineData("64KiB", 65536)]
    public void Sizes_accept_decimal_hex_and_binary_suffixes(string text, long expected)
    {
        Assert.True(BoardCatalog.TryParseSize(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("99999999999G")]
    [InlineData("9223372036854775807K")]
    [InlineData("-1")]
    [InlineData("12X")]
    public void Sizes_that_do_not_fit_or_do_not_parse_are_rejected(string text) =>
        Assert.False(BoardCatalog.TryParseSize(text, out _));
}
