using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Xunit;

namespace Autodiff.Engine.Tests.Gradients;

public class CoreOpGradientTests
{
    [Theory]
    [InlineData(1, 5, 3, 11)]
    [InlineData(4, 7, 2, 12)]
    [InlineData(3, 1, 6, 13)]
    public void Linear_sigmoid_log_softmax_nll(int batch, int inputs, int outputs, int seed) =>
        GradientCheck.Assert(g =>
        {
            var x = g.Input("x", inputs);
            var y = g.Target("y", outputs);
            var w = g.Param("fc.weight", outputs, inputs);
            var b = g.Param("fc.bias", outputs);
            return g.NllLoss(g.LogSoftmax(g.Sigmoid(g.Linear(x, w, b))), y);
        }, seed, batch: batch);

    [Fact]
    public void Gradients_of_a_tensor_used_twice_add_up()
    {
        // h feeds both a residual sum and the next layer: dL/dh gets both contributions.
        GradientCheck.Assert(g =>
        {
            var x = g.Input("x", 4);
            var y = g.Target("y", 4);
            var w1 = g.Param("fc1.weight", 4, 4);
            var w2 = g.Param("fc2.weight", 4, 4);
            var h = g.Sigmoid(g.Linear(x, w1));
            var r = g.Add(h, g.Linear(h, w2));
            return g.NllLoss(g.LogSoftmax(r), y);
        }, seed: 21, batch: 2);
    }

    [Fact]
    public void Only_parameters_get_gradients()
    {
        var g = new GraphBuilder(2);
        var x = g.Input("x", 3);
        var frozen = g.Frozen("frozen.weight", new float[12], 4, 3);
        var w = g.Param("fc.weight", 2, 4);
        var loss = g.NllLoss(g.LogSoftmax(g.Linear(g.Sigmoid(g.Linear(x, frozen)), w)), g.Target("y", 2));
        var forwardNodes = g.Graph.Nodes.Count;
        var grads = g.Backward(loss, g.Graph.Parameters);

        Assert.Single(grads);
        var backward = g.Graph.Nodes.Skip(forwardNodes).Select(n => n.Op).ToArray();
        // Nothing below the first trainable layer needs a gradient: no input gradient of fc,
        // no sigmoid backward, and no weight gradient for the frozen layer.
        Assert.Equal(1, backward.Count(op => op is LinearWeightGradOp));
        Assert.DoesNotContain(backward, op => op is LinearInputGradOp or ElementwiseDerivativeOp { Function: SigmoidOp });
    }
}
