using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

public class ModelNamesTests
{
    private static readonly SourceLocation At = new("m.yaml", 2, 7);

    [Theory]
    [InlineData("x")]
    [InlineData("mnist_mlp")]
    [InlineData("fc1")]
    [InlineData("conv2d_out")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    [InlineData("adapter")]
    [InlineData("mainly")]
    [InlineData("exp")]
    public void Accepts_identifiers(string name)
    {
        var diags = new DiagnosticBag();
        Assert.True(ModelNames.Check(name, "layer name", At, diags));
        Assert.Empty(diags.Items);
    }

    [Theory]
    [InlineData("", "AD1017")]
    [InlineData("Fc1", "AD1017")]
    [InlineData("1fc", "AD1017")]
    [InlineData("fc-1", "AD1017")]
    [InlineData("fc 1", "AD1017")]
    [InlineData("fc.weight", "AD1017")]
    [InlineData("x; system(\"rm -rf /\")", "AD1017")]
    [InlineData("*/", "AD1017")]
    [InlineData("a\nb", "AD1017")]
    [InlineData("ｆｃ", "AD1017")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "AD1017")]
    [InlineData("int", "AD1018")]
    [InlineData("while", "AD1018")]
    [InlineData("bool", "AD1018")]
    [InlineData("main", "AD1018")]
    [InlineData("size_t", "AD1018")]
    [InlineData("class", "AD1018")]
    [InlineData("_", "AD1018")]
    [InlineData("_x", "AD1018")]
    [InlineData("ad_conv", "AD1018")]
    [InlineData("a__b", "AD1018")]
    [InlineData("fc_", "AD1018")]
    public void Refuses_names_that_are_not_safe_c_identifiers(string name, string code)
    {
        var diags = new DiagnosticBag();
        Assert.False(ModelNames.Check(name, "layer name", At, diags));
        var d = Assert.Single(diags.Items);
        Assert.Equal((code, At), (d.Code, d.Location));
        Assert.DoesNotContain('\n', d.Message);
    }
}
