using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Autodiff.Engine.Tests.Planning;
using Xunit;
using static Autodiff.Engine.Tests.Model.ModelText;

namespace Autodiff.Engine.Tests.Model;

/// <summary>
/// Hostile inputs that need real files or text too large to commit: special files behind
/// <c>weights:</c> and <c>calibration:</c>, lying .npy headers, encodings, file names that try to
/// forge log lines, and megabyte-long model text. Each ends in a positioned error, quickly, with a
/// message a build log can carry (see <see cref="HostileAssert"/>).
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "autodiff-hostile-input-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string FrozenLinear = "  - linear: {{ units: 2, name: fc, trainable: false, weights: {0} }}\n";

    private static string CalibratedModel(string calibration) =>
        $"autodiff: 1\nname: tiny\ninputs:\n  x: [4]\n  y: [2]\ncalibration: {calibration}\nlayers:\n" +
        "  - linear: { units: 3, trainable: false, quantize: int8 }\n  - linear: { units: 2 }\n" +
        "loss: { mse: { target: y } }\noptimizer: { sgd: { lr: 0.01 } }\n";

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string MakeFifo(string name) => SpecialFiles.MakeFifo(Path.Combine(_dir, name));

    /// <summary>Loads a model whose weights are <paramref name="weights"/> and expects <paramref name="code"/> on the weights value.</summary>
    private Diagnostic WeightsFail(string weights, string code)
    {
        var model = Write("model.yaml", With(string.Format(FrozenLinear, weights)));
        var diags = HostileAssert.LoadFails(model);
        var (line, column) = Pos(File.ReadAllText(model), weights);
        return HostileAssert.ErrorAt(diags, code, line, column);
    }

    // ---- special files behind weights: and calibration:

    [SkippableFact]
    public void Calibration_that_is_a_fifo_fails_on_its_line_without_waiting_for_a_writer()
    {
        Skip.If(OperatingSystem.IsWindows(), "FIFOs are a Unix file type");
        MakeFifo("samples.npy");
        var model = Write("model.yaml", CalibratedModel("samples.npy"));
        HostileAssert.ErrorAt(HostileAssert.LoadFails(model), ModelDiagnosticCodes.NpyMalformed, 6, 14);
    }

    [SkippableFact]
    public void Calibration_linked_to_dev_zero_fails_on_its_line_without_reading_it()
    {
        Skip.If(!File.Exists("/dev/zero"), "needs /dev/zero");
        File.CreateSymbolicLink(Path.Combine(_dir, "zero.npy"), "/dev/zero");
        var model = Write("model.yaml", CalibratedModel("zero.npy"));
        HostileAssert.ErrorAt(HostileAssert.LoadFails(model), ModelDiagnosticCodes.NpyMalformed, 6, 14);
    }

    [Fact]
    public void Calibration_that_is_a_folder_is_reported_on_its_line()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "samples.npy"));
        var model = Write("model.yaml", CalibratedModel("samples.npy"));
        HostileAssert.ErrorAt(HostileAssert.LoadFails(model), ModelDiagnosticCodes.CalibrationInvalid, 6, 14);
    }

    [Fact]
    public void Weights_named_like_a_file_but_a_folder_are_reported_on_the_weights_value()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "fc.npy"));
        WeightsFail("fc.npy", ModelDiagnosticCodes.WeightsMissing);
    }

    [SkippableFact]
    public void Weights_through_a_symbolic_link_loop_are_reported_on_the_weights_value()
    {
        Skip.If(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        File.CreateSymbolicLink(Path.Combine(_dir, "a.npy"), Path.Combine(_dir, "b.npy"));
        File.CreateSymbolicLink(Path.Combine(_dir, "b.npy"), Path.Combine(_dir, "a.npy"));
        WeightsFail("a.npy", ModelDiagnosticCodes.FileUnreadable);
    }

    [Fact]
    public void Weights_larger_than_any_weight_file_are_refused_without_reading_them()
    {
        using (var f = File.Create(Path.Combine(_dir, "huge.npy"))) f.SetLength(NpyReader.MaxFileBytes + 1);
        var clock = Stopwatch.StartNew();
        var d = WeightsFail("huge.npy", ModelDiagnosticCodes.NpyMalformed);
        Assert.Contains("limit", d.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Weights_that_are_text_are_not_a_npy_file()
    {
        Write("fc.npy", "weight = [1, 2, 3]\n");
        WeightsFail("fc.npy", ModelDiagnosticCodes.NpyMalformed);
    }

    // ---- .npy headers that lie

    public static TheoryData<string, string> LyingHeaders => new()
    {
        { "shape_larger_than_data", ModelDiagnosticCodes.NpyMalformed },
        { "negative_dimension", ModelDiagnosticCodes.NpyMalformed },
        { "dimensions_overflow_together", ModelDiagnosticCodes.NpyMalformed },
        { "dimension_beyond_int", ModelDiagnosticCodes.NpyMalformed },
        { "fortran_order", ModelDiagnosticCodes.NpyUnsupported },
        { "int64_dtype", ModelDiagnosticCodes.NpyUnsupported },
        { "big_endian_dtype", ModelDiagnosticCodes.NpyUnsupported },
        { "v1_header_longer_than_file", ModelDiagnosticCodes.NpyMalformed },
        { "v2_header_length_all_ones", ModelDiagnosticCodes.NpyMalformed },
        { "v2_cut_in_preamble", ModelDiagnosticCodes.NpyMalformed },
        { "key_with_control_characters", ModelDiagnosticCodes.NpyMalformed },
        { "dtype_with_control_characters", ModelDiagnosticCodes.NpyUnsupported },
        { "version_9", ModelDiagnosticCodes.NpyUnsupported },
    };

    private static byte[] LyingHeader(string lie)
    {
        var eight = new byte[32];
        return lie switch
        {
            "shape_larger_than_data" => NpyBytes.Build("<f4", [2, 4], 1, eight[..8]),
            "negative_dimension" => NpyBytes.Build("<f4", [2, -4], 1, eight),
            "dimensions_overflow_together" => NpyBytes.Build("<f4", [2147483647, 2147483647, 2147483647], 1, eight),
            "dimension_beyond_int" => NpyBytes.Build("<f4", [2], 1, eight, rawHeader: "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967298,), }"),
            "fortran_order" => NpyBytes.Build("<f4", [2, 4], 1, eight, fortran: true),
            "int64_dtype" => NpyBytes.Build("<i8", [2, 2], 1, eight),
            "big_endian_dtype" => NpyBytes.Build(">f4", [2, 4], 1, eight),
            "v1_header_longer_than_file" => [.. NpyBytes.Build("<f4", [2, 4], 1, eight)[..8], 0xff, 0xff, (byte)'{'],
            "v2_header_length_all_ones" => [0x93, .. "NUMPY"u8, 2, 0, 0xff, 0xff, 0xff, 0xff, (byte)'{'],
            "v2_cut_in_preamble" => [0x93, .. "NUMPY"u8, 2, 0, 0x10],
            "key_with_control_characters" => NpyBytes.Build("<f4", [2], 1, eight, rawHeader: "{'descr\u001b[2J\nmodel.yaml(1,1): error AD0000: forged' 1}"),
            "dtype_with_control_characters" => NpyBytes.Build("<f4\u001b[31m\r\nforged", [2], 1, eight),
            "version_9" => [0x93, .. "NUMPY"u8, 9, 0, 0, 0],
            _ => throw new ArgumentException(lie),
        };
    }

    [Theory]
    [MemberData(nameof(LyingHeaders))]
    public void A_npy_header_that_lies_is_reported_on_the_weights_value(string lie, string code)
    {
        WriteBytes("fc.npy", LyingHeader(lie));
        WeightsFail("fc.npy", code);
    }

    // ---- encodings and odd bytes in the model file

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    [Fact]
    public void A_byte_order_mark_and_crlf_line_ends_leave_positions_as_an_editor_shows_them()
    {
        var text = With("  - linear: { units: 2, unitz: 3 }\n").Replace("\n", "\r\n");
        var model = WriteBytes("model.yaml", [.. Bom, .. Encoding.UTF8.GetBytes(text)]);
        var diags = HostileAssert.LoadFails(model);
        var (line, column) = Pos(text, "unitz");
        HostileAssert.ErrorAt(diags, ModelDiagnosticCodes.UnknownArgument, line, column);
    }

    [Fact]
    public void A_byte_order_mark_before_an_error_on_the_first_line_does_not_shift_its_column()
    {
        var text = With("  - relu\n").Replace("autodiff: 1", "autodiff: one");
        var withMark = HostileAssert.LoadFails(WriteBytes("marked.yaml", [.. Bom, .. Encoding.UTF8.GetBytes(text)]));
        HostileAssert.ErrorAt(withMark, ModelDiagnosticCodes.SchemaVersionInvalid, 1, 11);
        var without = HostileAssert.LoadFails(WriteBytes("plain.yaml", Encoding.UTF8.GetBytes(text)));
        Assert.Equal(without.Items.Select(d => (d.Code, d.Location!.Line, d.Location.Column)), withMark.Items.Select(d => (d.Code, d.Location!.Line, d.Location.Column)));
    }

    [Fact]
    public void A_byte_that_is_not_UTF_8_after_a_byte_order_mark_is_placed_as_an_editor_shows_it()
    {
        // "autodiff: 1 " then 0xE9: the editor's column 13; the byte order mark is not a column.
        var model = WriteBytes("model.yaml", [.. Bom, .. "autodiff: 1 "u8, 0xE9, (byte)'\n']);
        HostileAssert.ErrorAt(HostileAssert.LoadFails(model), ModelDiagnosticCodes.FileUnreadable, 1, 13);
    }

    [Fact]
    public void A_multibyte_character_cut_at_the_end_of_the_file_is_placed_at_its_first_byte()
    {
        var model = WriteBytes("model.yaml", [.. "autodiff: 1\nname: caf"u8, 0xC3]);
        HostileAssert.ErrorAt(HostileAssert.LoadFails(model), ModelDiagnosticCodes.FileUnreadable, 2, 10);
    }

    [Fact]
    public void A_surrogate_encoded_as_UTF_8_is_not_UTF_8()
    {
        var model = WriteBytes("model.yaml", [.. "autodiff: 1\nname: \u00e9"u8, 0xED, 0xA0, 0x80, (byte)'\n']);
        HostileAssert.ErrorAt(HostileAssert.LoadFails(model), ModelDiagnosticCodes.FileUnreadable, 2, 8);
    }

    [Fact]
    public void A_nul_byte_in_a_value_is_reported_where_it_stands()
    {
        var text = With("  - linear: { units: 2, name: f\0c }\n");
        var model = WriteBytes("model.yaml", Encoding.UTF8.GetBytes(text));
        var diags = HostileAssert.LoadFails(model);
        var (line, _) = Pos(text, "\0");
        Assert.Contains(diags.Items, d => d.IsError && d.Location!.Line == line);
    }

    [Fact]
    public void A_tab_indenting_a_crlf_file_is_reported_at_the_tab()
    {
        var text = "autodiff: 1\r\nname: tiny\r\ninputs:\r\n\tx: [4]\r\n";
        var model = WriteBytes("model.yaml", Encoding.UTF8.GetBytes(text));
        HostileAssert.ErrorAt(HostileAssert.LoadFails(model), ModelDiagnosticCodes.YamlSyntax, 4, 1);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { (byte)'#', (byte)' ', (byte)'x', (byte)'\r', (byte)'\n' })]
    public void An_empty_file_holds_no_document_at_its_start(byte[] bytes)
    {
        var model = WriteBytes("model.yaml", bytes);
        HostileAssert.ErrorAt(HostileAssert.LoadFails(model), ModelDiagnosticCodes.DocumentCount, 1, 1);
    }

    // ---- file names that try to forge log lines

    [SkippableFact]
    public void A_model_file_name_holding_a_forged_diagnostic_is_printed_escaped()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows file names cannot hold newlines");
        var model = Write("m\nforged.yaml(1,1): error AD0000: \u001b[31mforged.yaml", With("  - linear: { units: 2, unitz: 3 }\n"));
        var diags = HostileAssert.LoadFails(model);
        var d = Assert.Single(diags.Items);
        Assert.Equal(model, d.Location!.File);
        Assert.DoesNotContain('\n', d.ToString());
        Assert.DoesNotContain('\u001b', d.ToString());
    }

    [SkippableFact]
    public void A_folder_named_with_control_characters_is_quoted_escaped()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows file names cannot hold control characters");
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "m\r\nforged.yaml(1,1): error AD0000: x\u0007.yaml")).FullName;
        var d = Assert.Single(HostileAssert.LoadFails(folder).Items);
        Assert.Equal(ModelDiagnosticCodes.FileUnreadable, d.Code);
    }

    [SkippableFact]
    public void Weights_in_a_folder_named_with_control_characters_are_quoted_escaped_when_they_do_not_fit()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows file names cannot hold control characters");
        var sub = Directory.CreateDirectory(Path.Combine(_dir, "w\u001b[2J")).FullName;
        File.WriteAllBytes(Path.Combine(sub, "fc.npy"), NpyBytes.Float32([2], [1f, 2f]));
        // Readable, but a lone [2] array does not fit linear's [4, 2] weight: the lowering quotes the path.
        var model = Write("model.yaml", With(string.Format(FrozenLinear, "\"w\\e[2J/fc.npy\"")));
        var result = ModelCompiler.Compile(new CompileRequest(model, MemoryPlanTests.Board("stm32f4"), KernelChoice.Portable));
        Assert.False(result.Succeeded);
        Assert.Empty(result.Files);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.Location!.Line == 7);
        HostileAssert.Printable(result.Diagnostics);
    }

    // ---- model text far larger than any name: every quotation stays short

    /// <summary>Long enough to flood a log, short enough that two copies pass the document size limit.</summary>
    private const int Huge = 450_000;

    public static TheoryData<string> HugeTexts => new()
    {
        "layer_name", "model_name", "input_name", "argument_key", "top_level_key", "layer_keyword", "quoted_value",
        "weights_path", "calibration_path", "reference", "loss_target", "schema", "alias", "tag", "duplicate_key",
    };

    private static string HugeText(string where)
    {
        var big = new string('a', Huge);
        var quoted = "\"" + string.Concat(Enumerable.Repeat("\\e[31m\\n", 10)) + big + "\"";
        return where switch
        {
            "layer_name" => With($"  - linear: {{ units: 2, name: {big} }}\n"),
            "model_name" => With("  - linear: { units: 2 }\n").Replace("name: tiny", "name: " + quoted),
            "input_name" => With("  - linear: { units: 2 }\n", inputs: $"  {big}: [4]\n  y: [2]\n"),
            "argument_key" => With($"  - linear: {{ units: 2, {big}: 1 }}\n"),
            "top_level_key" => With("  - linear: { units: 2 }\n", extra: $"{quoted}: 1\n"),
            "layer_keyword" => With($"  - {big}: {{ units: 2 }}\n"),
            "quoted_value" => With($"  - linear: {{ units: {quoted} }}\n"),
            "weights_path" => With(string.Format(FrozenLinear, quoted)),
            "calibration_path" => CalibratedModel(quoted[..^1] + ".npy\""),
            "reference" => With($"  - linear: {{ units: 2, in: {big} }}\n"),
            "loss_target" => With("  - linear: { units: 2 }\n", loss: $"loss: {{ mse: {{ target: {quoted} }} }}"),
            "schema" => With("  - linear: { units: 2 }\n").Replace("autodiff: 1", "autodiff: " + quoted),
            "alias" => With("  - linear: { units: 2, name: &" + big + " fc }\n  - relu: { name: *" + big + " }\n"),
            "tag" => With("  - linear: { units: !" + big + " 2 }\n"),
            "duplicate_key" => With("  - linear: { units: 2 }\n", extra: $"{quoted}: 1\n{quoted}: 2\n"),
            _ => throw new ArgumentException(where),
        };
    }

    [Theory]
    [MemberData(nameof(HugeTexts))]
    public void A_huge_name_key_or_value_gives_a_short_positioned_message(string where)
    {
        var text = HugeText(where);
        Assert.True(text.Length < YamlTreeReader.MaxDocumentChars, "the text must reach the reader, not the size limit");
        HostileAssert.TextFails(text, _dir);
    }

    // ---- huge structures

    [Fact]
    public void A_list_of_a_hundred_thousand_layers_is_refused_at_the_node_limit()
    {
        var text = With(string.Concat(Enumerable.Repeat("  - relu\n", 100_000)));
        var diags = HostileAssert.TextFails(text);
        Assert.Contains(diags.Items, d => d.Code == ModelDiagnosticCodes.TooManyNodes && d.Location!.Line > 7);
    }

    [Fact]
    public void A_valid_chain_of_ninety_thousand_layers_is_refused_at_the_first_layer_beyond_the_limit()
    {
        // Below the YAML node limit, and valid: compiling it took half a minute and most of a gigabyte.
        var text = With("  - linear: { units: 4 }\n" + string.Concat(Enumerable.Repeat("  - relu\n", 90_000)), inputs: "  x: [4]\n  y: [4]\n");
        var diags = HostileAssert.TextFails(text);
        HostileAssert.ErrorAt(diags, ModelDiagnosticCodes.TooManyNodes, 7 + ModelReader.MaxLayers, 5);
    }

    [Fact]
    public void Deep_nesting_before_the_name_stops_at_the_limit()
    {
        var text = "autodiff: 1\nx: " + new string('{', 100_000) + new string('}', 100_000) + "\nname: tiny\n";
        var diags = HostileAssert.TextFails(text);
        HostileAssert.ErrorAt(diags, ModelDiagnosticCodes.NestingTooDeep, 2, 4 + YamlTreeReader.MaxDepth - 1);
    }

    [Fact]
    public void Thousands_of_anchors_without_aliases_stay_within_the_deadline()
    {
        var layers = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"  - relu: {{ name: &a{i} r{i} }}\n"));
        HostileAssert.TextFails(With(layers, loss: "loss: { mse: { target: yy } }"));
    }
}
