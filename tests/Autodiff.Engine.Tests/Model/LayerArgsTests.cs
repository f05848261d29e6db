using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

public class LayerArgsTests
{
    private static readonly SourceLocation At = new("m.yaml", 3, 9);

    private static ArgValue S(string text, bool plain = true) => new(ArgValueKind.Scalar, text, plain, null, At);

    private static ArgValue L(params string[] items) => new(ArgValueKind.List, null, true, items.Select(i => S(i)).ToList(), At);

    private static LayerArgs Args(string name, ArgValue value) => new("conv2d", [new(name, value)]);

    private static void AssertReported(DiagnosticBag diags, string code)
    {
        var d = Assert.Single(diags.Items);
        Assert.Equal((code, At), (d.Code, d.Location));
    }

    [Theory]
    [InlineData("32", 32)]
    [InlineData("+7", 7)]
    [InlineData("-1", -1)]
    [InlineData("007", 7)]
    public void Int_reads_decimal_integers(string text, int expected)
    {
        var diags = new DiagnosticBag();
        Assert.Equal(expected, Args("k", S(text)).Int("k", diags));
        Assert.Empty(diags.Items);
    }

    [Theory]
    [InlineData("32.0")]
    [InlineData("0x20")]
    [InlineData("1_000")]
    [InlineData("3e2")]
    [InlineData("")]
    [InlineData("thirty")]
    public void Int_refuses_other_spellings(string text)
    {
        var diags = new DiagnosticBag();
        Assert.Null(Args("k", S(text)).Int("k", diags));
        AssertReported(diags, ModelDiagnosticCodes.WrongType);
    }

    [Fact]
    public void Int_refuses_quoted_numbers_lists_and_null()
    {
        foreach (var value in new[] { S("32", plain: false), L("1"), new ArgValue(ArgValueKind.Null, null, true, null, At) })
        {
            var diags = new DiagnosticBag();
            Assert.Null(Args("k", value).Int("k", diags));
            AssertReported(diags, ModelDiagnosticCodes.WrongType);
        }
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("123456789012345678901234567890")]
    public void Int_reports_values_beyond_32_bits(string text)
    {
        var diags = new DiagnosticBag();
        Assert.Null(Args("k", S(text)).Int("k", diags));
        AssertReported(diags, ModelDiagnosticCodes.SizeOverflow);
    }

    [Fact]
    public void Int_checks_bounds_and_uses_fallbacks()
    {
        var diags = new DiagnosticBag();
        Assert.Null(Args("units", S("0")).Int("units", diags, min: 1));
        AssertReported(diags, ModelDiagnosticCodes.OutOfRange);
        Assert.Contains("positive", diags.Items[0].Message);
        Assert.Equal(5, LayerArgs.Empty("x").Int("units", 5, new DiagnosticBag()));
        Assert.Null(LayerArgs.Empty("x").Int("units", new DiagnosticBag()));
    }

    [Theory]
    [InlineData("0.5", 0.5)]
    [InlineData(".5", 0.5)]
    [InlineData("1e-3", 1e-3)]
    [InlineData("-2", -2.0)]
    [InlineData("1.0E+2", 100.0)]
    public void Float_reads_decimal_numbers(string text, double expected)
    {
        var diags = new DiagnosticBag();
        Assert.Equal(expected, Args("lr", S(text)).Float("lr", diags));
        Assert.Empty(diags.Items);
    }

    [Theory]
    [InlineData(".inf")]
    [InlineData(".nan")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e999")]
    [InlineData("0.5f")]
    [InlineData("1,5")]
    public void Float_refuses_non_finite_and_foreign_spellings(string text)
    {
        var diags = new DiagnosticBag();
        Assert.Null(Args("lr", S(text)).Float("lr", diags));
        AssertReported(diags, ModelDiagnosticCodes.WrongType);
    }

    [Fact]
    public void Float_checks_ranges_with_readable_bounds()
    {
        var diags = new DiagnosticBag();
        Assert.Null(Args("p", S("1")).Float("p", diags, FloatRange.UnitHalfOpen));
        AssertReported(diags, ModelDiagnosticCodes.OutOfRange);
        Assert.Contains("[0, 1)", diags.Items[0].Message);
        Assert.Equal(0.0, Args("p", S("0")).Float("p", new DiagnosticBag(), FloatRange.UnitHalfOpen));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("FALSE", false)]
    public void Bool_reads_core_schema_booleans(string text, bool expected) =>
        Assert.Equal(expected, Args("bias", S(text)).Bool("bias", new DiagnosticBag()));

    [Theory]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("1")]
    public void Bool_refuses_yaml11_spellings(string text)
    {
        var diags = new DiagnosticBag();
        Assert.Null(Args("bias", S(text)).Bool("bias", diags));
        AssertReported(diags, ModelDiagnosticCodes.WrongType);
        Assert.True(Args("bias", S(text)).Bool("other", true, new DiagnosticBag()));
    }

    [Fact]
    public void IntOrList_expands_a_scalar_and_checks_the_length()
    {
        var diags = new DiagnosticBag();
        Assert.Equal([3, 3], Args("kernel", S("3")).IntOrList("kernel", 2, diags, min: 1));
        Assert.Equal([3, 5], Args("kernel", L("3", "5")).IntOrList("kernel", 2, diags, min: 1));
        Assert.Empty(diags.Items);
        Assert.Null(Args("kernel", L("3")).IntOrList("kernel", 2, diags, min: 1));
        AssertReported(diags, ModelDiagnosticCodes.WrongType);
        var zero = new DiagnosticBag();
        Assert.Null(Args("kernel", L("3", "0")).IntOrList("kernel", 2, zero, min: 1));
        AssertReported(zero, ModelDiagnosticCodes.OutOfRange);
    }

    [Fact]
    public void IntList_takes_a_scalar_only_when_allowed()
    {
        Assert.Equal([1], Args("axes", S("1")).IntList("axes", new DiagnosticBag(), allowScalar: true));
        var diags = new DiagnosticBag();
        Assert.Null(Args("axes", S("1")).IntList("axes", diags));
        AssertReported(diags, ModelDiagnosticCodes.WrongType);
    }

    [Fact]
    public void FloatList_checks_length_and_items()
    {
        Assert.Equal([0.9, 0.99], Args("betas", L("0.9", "0.99")).FloatList("betas", new DiagnosticBag(), FloatRange.UnitHalfOpen, 2));
        var diags = new DiagnosticBag();
        Assert.Null(Args("betas", L("0.9")).FloatList("betas", diags, length: 2));
        AssertReported(diags, ModelDiagnosticCodes.WrongType);
    }

    [Fact]
    public void Enum_accepts_choices_and_suggests_on_typos()
    {
        Assert.Equal("same", Args("padding", S("same")).Enum("padding", new DiagnosticBag(), "valid", "same"));
        var diags = new DiagnosticBag();
        Assert.Null(Args("padding", S("vaild")).Enum("padding", diags, "valid", "same"));
        AssertReported(diags, ModelDiagnosticCodes.InvalidChoice);
        Assert.Contains("did you mean 'valid'?", diags.Items[0].Message);
    }

    [Fact]
    public void With_replaces_and_keeps_order()
    {
        var args = new LayerArgs("linear", [new("units", S("2")), new("bias", S("true"))]).With("units", S("3"));
        Assert.Equal(["bias", "units"], args.Names);
        Assert.Equal(3, args.Int("units", new DiagnosticBag()));
        Assert.True(args.Has("bias"));
        Assert.False(args.Has("kernel"));
        Assert.Null(args.LocationOf("kernel"));
    }
}
