using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Xunit;

namespace Autodiff.Engine.Tests.Graph;

/// <summary>Tensor names: the stem when free, else the smallest free numeric suffix, also after renames free one.</summary>
public class UniqueNameTests
{
    [Fact]
    public void Names_take_the_smallest_free_suffix_even_after_a_rename_frees_one()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", 4);
        var a = g.Relu(x);
        var b = g.Relu(a);
        var c = g.Relu(b);
        Assert.Equal(["relu", "relu_1", "relu_2"], new[] { a.Name, b.Name, c.Name });

        g.Rename(b, "hidden");                  // frees relu_1
        Assert.Equal("relu_1", g.Relu(c).Name); // the smallest free suffix again
        Assert.Equal("relu_3", g.Relu(c).Name);
        Assert.Equal("hidden_1", g.UniqueName("hidden"));
    }

    [Fact]
    public void Thousands_of_layers_of_one_kind_are_numbered_in_order()
    {
        var g = new GraphBuilder();
        var t = g.Input("x", 4);
        for (var i = 0; i < 5000; i++) t = g.Relu(t);
        Assert.Equal("relu_4999", t.Name);
    }
}
