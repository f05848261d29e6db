using System.Text;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

public class NpyReaderTests
{
    private static readonly SourceLocation At = new("model.yaml", 7, 15);

    private static (NpyArray? Array, DiagnosticBag Diags) Parse(byte[] bytes)
    {
        var diags = new DiagnosticBag();
        return (NpyReader.Parse(bytes, "w.npy", At, diags), diags);
    }

    private static void AssertFails(byte[] bytes, string code, string? messagePart = null)
    {
        var (array, diags) = Parse(bytes);
        Assert.Null(array);
        var d = Assert.Single(diags.Items);
        Assert.Equal(code, d.Code);
        Assert.Equal(At, d.Location);
        if (messagePart is not null) Assert.Contains(messagePart, d.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reads_float32_in_every_format_version(int version)
    {
        var values = new[] { 1f, -2.5f, 3.25f, 0f, 1e-8f, -1e8f };
        var (array, diags) = Parse(NpyBytes.Float32([2, 3], values, version));
        Assert.Empty(diags.Items);
        Assert.Equal([2, 3], array!.Shape);
        Assert.Equal(values, array.Data.ToArray());
        Assert.Equal(NpyDataType.Float32, array.StoredAs);
        Assert.Equal(6, array.ElementCount);
    }

    [Fact]
    public void Reads_float64_as_float32()
    {
        var (array, diags) = Parse(NpyBytes.Float64([3], [0.1, -0.2, 1e-40]));
        Assert.Empty(diags.Items);
        Assert.Equal([0.1f, -0.2f, (float)1e-40], array!.Data.ToArray());
        Assert.Equal(NpyDataType.Float64, array.StoredAs);
    }

    [Fact]
    public void Reads_scalars_and_empty_arrays()
    {
        var scalar = NpyBytes.Build("<f4", [], 1, BitConverter.GetBytes(2f), rawHeader: "{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
        var (array, _) = Parse(scalar);
        Assert.Empty(array!.Shape);
        Assert.Equal([2f], array.Data.ToArray());

        var (empty, diags) = Parse(NpyBytes.Float32([0, 4], []));
        Assert.Empty(diags.Items);
        Assert.Equal([0, 4], empty!.Shape);
    }

    [Fact]
    public void Accepts_numpy_header_variations()
    {
        var data = new byte[8];
        foreach (var header in new[]
                 {
                     "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}",
                     "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
                     "{'descr':'<f4','fortran_order':False,'shape':(2L,),}",
                 })
        {
            var (array, diags) = Parse(NpyBytes.Build("", [], 1, data, rawHeader: header));
            Assert.True(diags.Items.Count == 0, header + ": " + string.Join("\n", diags.Items));
            Assert.Equal([2], array!.Shape);
        }
    }

    [Fact]
    public void Refuses_files_that_are_not_npy() =>
        AssertFails(Encoding.ASCII.GetBytes("PK\u0003\u0004 this is a zip, not an array"), ModelDiagnosticCodes.NpyMalformed, "magic");

    [Fact]
    public void Refuses_an_empty_file() => AssertFails([], ModelDiagnosticCodes.NpyMalformed);

    [Theory]
    [InlineData(">f4", "'>f4'")]
    [InlineData("<i4", "'<i4'")]
    [InlineData("<f2", "'<f2'")]
    [InlineData("|u1", "'|u1'")]
    [InlineData("<c8", "'<c8'")]
    public void Refuses_dtypes_other_than_little_endian_floats(string descr, string shown) =>
        AssertFails(NpyBytes.Build(descr, [2], 1, new byte[8]), ModelDiagnosticCodes.NpyUnsupported, shown);

    [Fact]
    public void Refuses_fortran_order() =>
        AssertFails(NpyBytes.Build("<f4", [2, 2], 1, new byte[16], fortran: true), ModelDiagnosticCodes.NpyUnsupported, "Fortran");

    [Fact]
    public void Refuses_unknown_format_versions()
    {
        var bytes = NpyBytes.Float32([1], [1f]);
        bytes[6] = 4;
        AssertFails(bytes, ModelDiagnosticCodes.NpyUnsupported, "version 4");
    }

    [Fact]
    public void Refuses_truncated_and_padded_data()
    {
        var bytes = NpyBytes.Float32([4], [1, 2, 3, 4]);
        AssertFails(bytes[..^1], ModelDiagnosticCodes.NpyMalformed, "holds 15 data bytes");
        AssertFails([.. bytes, 0], ModelDiagnosticCodes.NpyMalformed, "holds 17 data bytes");
    }

    [Fact]
    public void Refuses_a_header_longer_than_the_file()
    {
        var bytes = NpyBytes.Float32([1], [1f]);
        bytes[8] = 0xff;
        bytes[9] = 0x7f;
        AssertFails(bytes, ModelDiagnosticCodes.NpyMalformed, "truncated");
    }

    [Fact]
    public void Refuses_a_huge_declared_header_length()
    {
        var bytes = NpyBytes.Float32([1], [1f], version: 2);
        bytes[8] = bytes[9] = bytes[10] = bytes[11] = 0xff;
        AssertFails(bytes, ModelDiagnosticCodes.NpyMalformed);
    }

    [Fact]
    public void Refuses_a_shape_too_large_to_hold()
    {
        var bytes = NpyBytes.Build("<f4", [65536, 65536, 65536], 1, []);
        AssertFails(bytes, ModelDiagnosticCodes.NpyMalformed, "larger than any weight file");
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "needs the keys")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unexpected key")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", "True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", "tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "non-negative")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,)}", "non-negative")]
    [InlineData("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", "structured")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} trailing", "after the dict")]
    [InlineData("'descr': '<f4'", "expected '{'")]
    [InlineData("{'descr': '<f4' 'fortran_order': False}", "expected ','")]
    public void Refuses_malformed_headers(string header, string why) =>
        AssertFails(NpyBytes.Build("", [], 1, new byte[8], rawHeader: header), ModelDiagnosticCodes.NpyMalformed, why);

    [Fact]
    public void Refuses_non_finite_values()
    {
        AssertFails(NpyBytes.Float32([3], [1f, float.NaN, 2f]), ModelDiagnosticCodes.NpyNonFinite, "flat index 1");
        AssertFails(NpyBytes.Float32([1], [float.NegativeInfinity]), ModelDiagnosticCodes.NpyNonFinite);
        AssertFails(NpyBytes.Float64([2], [0, 1e300]), ModelDiagnosticCodes.NpyNonFinite, "float32 range");
    }

    [Fact]
    public void A_missing_file_is_reported_at_the_weights_node()
    {
        var diags = new DiagnosticBag();
        Assert.Null(NpyReader.Read(Path.Combine(Path.GetTempPath(), "autodiff-missing.npy"), At, diags));
        var d = Assert.Single(diags.Items);
        Assert.Equal((ModelDiagnosticCodes.WeightsMissing, At), (d.Code, d.Location));
    }

    [Fact]
    public void Malformed_weights_in_a_model_are_reported_at_the_weights_node()
    {
        var dir = Path.Combine(Path.GetTempPath(), "autodiff-npy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "w"));
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "w", "fc.weight.npy"), NpyBytes.Float32([2, 4], new float[8]));
            File.WriteAllBytes(Path.Combine(dir, "w", "fc.bias.npy"), NpyBytes.Build(">f4", [2], 1, new byte[8]));
            var text = ModelText.With("  - linear: { units: 2, name: fc, weights: w }\n");
            ModelText.Load(text, out var diags, dir);
            ModelText.AssertReports(diags, ModelDiagnosticCodes.NpyUnsupported, text, "w }");
            Assert.Contains("fc.bias.npy", diags.Items.Single().Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
