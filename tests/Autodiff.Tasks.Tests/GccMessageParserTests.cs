using Autodiff.Tasks;

namespace Autodiff.Tasks.Tests;

/// <summary>The lines gcc and GNU ld print, as the compile and link tasks classify them (no build needed).</summary>
public sealed class GccMessageParserTests
{
    private const string Ld = "/usr/lib/gcc/arm-none-eabi/12.2.1/../../../arm-none-eabi/bin/ld";

    [Theory]
    // with -g ld names the source line; continuation lines come with or without the ld: prefix
    [InlineData("/src/fw/x.c:2: undefined reference to `missing_symbol'", "/src/fw/x.c", 2)]
    [InlineData(Ld + ": /src/fw/x.c:2: undefined reference to `missing_symbol'", "/src/fw/x.c", 2)]
    [InlineData("x.c:(.text+0x5): undefined reference to `missing_symbol'", "x.c", 0)]
    [InlineData("/usr/bin/ld: x.c:(.text.main+0x5): undefined reference to `missing_symbol'", "x.c", 0)]
    [InlineData("/src/fw/b.c:1: multiple definition of `f'; /tmp/ccXK0LUB.o:/src/fw/a.c:1: first defined here", "/src/fw/b.c", 1)]
    [InlineData("/usr/bin/ld: b.c:(.text+0x0): multiple definition of `f'; a.o:a.c:(.text+0x0): first defined here", "b.c", 0)]
    public void Undefined_references_and_multiple_definitions_are_errors_at_their_source(string line, string file, int lineNumber)
    {
        var message = GccMessageParser.Parse(line);

        Assert.NotNull(message);
        Assert.Equal(GccMessageKind.Error, message!.Kind);
        Assert.Equal(file, message.File);
        Assert.Equal(lineNumber, message.Line);
        Assert.Matches("undefined reference|multiple definition", message.Text);
    }

    [Theory]
    [InlineData("use.c:(.text.use_it+0x0): warning: the `gets' function is dangerous and should not be used.", "use.c")]
    [InlineData("/usr/bin/ld: use.c:(.text.use_it+0x0): warning: the `gets' function is dangerous and should not be used.", "use.c")]
    [InlineData(Ld + ": warning: Firmware.elf has a LOAD segment with RWX permissions", null)]
    public void Linker_warnings_are_warnings(string line, string? file)
    {
        var message = GccMessageParser.Parse(line);

        Assert.NotNull(message);
        Assert.Equal(GccMessageKind.Warning, message!.Kind);
        Assert.Equal(file, message.File);
        Assert.DoesNotContain("warning:", message.Text);
    }

    [Theory]
    [InlineData("/usr/bin/ld: skipping incompatible /usr/lib/x86_64-linux-gnu/libm.so when searching for -lm")]
    [InlineData("/usr/bin/ld: /tmp/ccLYaJdG.o: in function `main':")]
    [InlineData(Ld + ": Firmware.elf section `.bss' will not fit in region `RAM'")]
    public void Informational_linker_lines_are_not_errors(string line)
    {
        var message = GccMessageParser.Parse(line);

        Assert.True(message is null || message.Kind == GccMessageKind.Note, $"'{line}' was taken for a {message?.Kind}");
    }

    [Theory]
    [InlineData("/usr/bin/ld: cannot find -lnosuchlib: No such file or directory")]
    [InlineData(Ld + ": region `RAM' overflowed by 24 bytes")]
    [InlineData("collect2: error: ld returned 1 exit status")]
    public void Fatal_linker_lines_are_errors(string line)
    {
        Assert.Equal(GccMessageKind.Error, GccMessageParser.Parse(line)?.Kind);
    }

    [Fact]
    public void Region_overflow_gives_region_and_bytes()
    {
        var message = GccMessageParser.Parse(Ld + ": region `RAM' overflowed by 24 bytes")!;

        Assert.Equal(("RAM", 24L), GccMessageParser.ParseRegionOverflow(message.Text));
    }

    [Theory]
    [InlineData("main.c:3:12: error: 'undefined_name' undeclared (first use in this function)", "main.c", 3, 12, true)]
    [InlineData("my-ld.c:7:1: warning: unused variable 'x' [-Wunused-variable]", "my-ld.c", 7, 1, false)]
    [InlineData("src/old.c:9: error: expected ';'", "src/old.c", 9, 0, true)]
    public void Compiler_messages_keep_file_line_and_column(string line, string file, int lineNumber, int column, bool isError)
    {
        var message = GccMessageParser.Parse(line);

        var kind = isError ? GccMessageKind.Error : GccMessageKind.Warning;
        Assert.Equal(new GccMessage(file, lineNumber, column, kind, message!.Text), message);
    }

    [Theory]
    [InlineData("main.c: In function 'main':")]
    [InlineData("held-out accuracy: 97.0%")]
    public void Other_lines_are_left_alone(string line)
    {
        var message = GccMessageParser.Parse(line);

        Assert.True(message is null || message.Kind == GccMessageKind.Note);
    }
}
