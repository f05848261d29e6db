using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;
using Autodiff.Engine.Optimizers;
using Xunit;

namespace Autodiff.Engine.Tests.Optimizers;

/// <summary>
/// The first three updates of each optimizer against PyTorch's update rules, written out here
/// independently of the engine. The model is one linear unit without bias, w [1,3], trained with
/// mse on a fixed batch of two samples, so the gradient has a closed form:
/// L = ½ Σ_b (x_b·w − t_b)²  ⇒  ∂L/∂w = Σ_b (x_b·w − t_b) x_b.
/// </summary>
public class OptimizerFormulaTests
{
    private static readonly double[] X = [0.5, -1.0, 2.0, 1.5, 0.25, -0.75];
    private static readonly double[] Targets = [1.0, -0.5];
    private static readonly float[] W0 = [0.5f, -0.25f, 0.75f];
    private const int Steps = 3;

    private static double[] Gradient(double[] w)
    {
        var g = new double[3];
        for (var b = 0; b < 2; b++)
        {
            var residual = X[b * 3] * w[0] + X[b * 3 + 1] * w[1] + X[b * 3 + 2] * w[2] - Targets[b];
            for (var i = 0; i < 3; i++) g[i] += residual * X[b * 3 + i];
        }
        return g;
    }

    private static double DataLoss(double[] w)
    {
        var sum = 0.0;
        for (var b = 0; b < 2; b++)
        {
            var r = X[b * 3] * w[0] + X[b * 3 + 1] * w[1] + X[b * 3 + 2] * w[2] - Targets[b];
            sum += r * r;
        }
        return sum / 2;
    }

    /// <summary>Trains the engine's graph and returns w after each step and the reported losses.</summary>
    private static (double[][] Weights, double[] Losses) Train(OptimizerSettings settings, double l2 = 0)
    {
        var g = new GraphBuilder(batch: 2);
        var x = g.Input("x", 3);
        var t = g.Target("t", 1);
        var w = g.Param("w", W0, 1, 3);
        var step = OptimizerBuilder.AddTrainingStep(g, g.MseLoss(g.Linear(x, w), t), settings, l2);
        var run = new Interpreter<double>(g.Graph);
        var feeds = new Dictionary<Tensor, double[]> { [x] = X, [t] = Targets };
        var weights = new double[Steps][];
        var losses = new double[Steps];
        for (var k = 0; k < Steps; k++)
        {
            losses[k] = run.TrainStep(step.Loss, feeds);
            weights[k] = (double[])run.Values(w).Clone();
        }
        return (weights, losses);
    }

    private static void AssertTrajectory(OptimizerSettings settings, Func<int, double[], double[], double[]> torchStep, double l2 = 0)
    {
        var (actual, _) = Train(settings, l2);
        var w = W0.Select(v => (double)v).ToArray();
        for (var k = 0; k < Steps; k++)
        {
            var grad = Gradient(w);
            // PyTorch would differentiate data loss + λ·Σw², which adds 2λw to the gradient.
            for (var i = 0; i < 3; i++) grad[i] += 2 * l2 * w[i];
            w = torchStep(k, w, grad);
            for (var i = 0; i < 3; i++)
                Assert.True(Math.Abs(actual[k][i] - w[i]) <= 1e-6,
                    $"step {k + 1}, w[{i}]: engine {actual[k][i]:R}, formula {w[i]:R}");
        }
    }

    // ---- SGD --------------------------------------------------------------------------------

    [Fact]
    public void Sgd_plain()
    {
        const double lr = 0.1;
        AssertTrajectory(new Sgd(lr), (_, w, g) => [.. w.Select((wi, i) => wi - lr * g[i])]);
    }

    [Fact]
    public void Sgd_first_update_by_hand()
    {
        // x·w: sample 0 = 0.25 + 0.25 + 1.5 = 2, residual 1; sample 1 = 0.75 − 0.0625 − 0.5625 = 0.125, residual 0.625.
        // g = 1·(0.5, −1, 2) + 0.625·(1.5, 0.25, −0.75) = (1.4375, −0.84375, 1.53125).
        var (w, _) = Train(new Sgd(0.1));
        Assert.Equal(0.5 - 0.14375, w[0][0], 12);
        Assert.Equal(-0.25 + 0.084375, w[0][1], 12);
        Assert.Equal(0.75 - 0.153125, w[0][2], 12);
    }

    [Theory]
    [InlineData(0.9, 0.0, false, 0.0)]
    [InlineData(0.9, 0.5, false, 0.0)]
    [InlineData(0.9, 0.0, true, 0.0)]
    [InlineData(0.5, 0.0, false, 0.01)]
    [InlineData(0.8, 0.0, true, 0.05)]
    [InlineData(0.0, 0.0, false, 0.1)]
    public void Sgd_momentum_dampening_nesterov_weight_decay(double momentum, double dampening, bool nesterov, double weightDecay)
    {
        const double lr = 0.05;
        var buf = new double[3];
        AssertTrajectory(new Sgd(lr, momentum, dampening, nesterov, weightDecay), (k, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                var d = g[i] + weightDecay * w[i];
                if (momentum != 0)
                {
                    buf[i] = k == 0 ? d : momentum * buf[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                next[i] = w[i] - lr * d;
            }
            return next;
        });
    }

    // ---- Adam -------------------------------------------------------------------------------

    [Theory]
    [InlineData(0.1, 0.9, 0.999, 1e-8, 0.0)]
    [InlineData(0.05, 0.8, 0.99, 1e-3, 0.0)]
    [InlineData(0.1, 0.9, 0.999, 1e-8, 0.1)]
    public void Adam(double lr, double beta1, double beta2, double eps, double weightDecay)
    {
        var m = new double[3];
        var v = new double[3];
        AssertTrajectory(new Adam(lr, beta1, beta2, eps, weightDecay), (k, w, g) =>
        {
            var t = k + 1;
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                var d = g[i] + weightDecay * w[i];
                m[i] = beta1 * m[i] + (1 - beta1) * d;
                v[i] = beta2 * v[i] + (1 - beta2) * d * d;
                var mHat = m[i] / (1 - Math.Pow(beta1, t));
                var vHat = v[i] / (1 - Math.Pow(beta2, t));
                next[i] = w[i] - lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            return next;
        });
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_about_lr()
    {
        // With t = 1, m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g).
        var (w, _) = Train(new Adam(0.01));
        Assert.Equal(0.5 - 0.01, w[0][0], 6);
        Assert.Equal(-0.25 + 0.01, w[0][1], 6);
        Assert.Equal(0.75 - 0.01, w[0][2], 6);
    }

    // ---- RMSprop ----------------------------------------------------------------------------

    [Theory]
    [InlineData(0.01, 0.99, 1e-8, 0.0, 0.0)]
    [InlineData(0.02, 0.9, 1e-6, 0.0, 0.05)]
    [InlineData(0.01, 0.99, 1e-8, 0.9, 0.0)]
    [InlineData(0.005, 0.95, 1e-4, 0.5, 0.02)]
    public void RmsProp(double lr, double alpha, double eps, double momentum, double weightDecay)
    {
        var squareAvg = new double[3];
        var buf = new double[3];
        AssertTrajectory(new RmsProp(lr, alpha, eps, momentum, weightDecay), (_, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                var d = g[i] + weightDecay * w[i];
                squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * d * d;
                var avg = Math.Sqrt(squareAvg[i]) + eps;
                if (momentum > 0)
                {
                    buf[i] = momentum * buf[i] + d / avg;
                    next[i] = w[i] - lr * buf[i];
                }
                else
                {
                    next[i] = w[i] - lr * d / avg;
                }
            }
            return next;
        });
    }

    // ---- schedules --------------------------------------------------------------------------

    public static TheoryData<string> Schedules => ["step", "exponential", "cosine"];

    private static (LrSchedule Schedule, Func<int, double> Rate) Schedule(string name, double lr) => name switch
    {
        // StepLR(step_size=2, gamma=0.5): lr, lr, lr/2, ...
        "step" => (new StepLr(2, 0.5), t => lr * Math.Pow(0.5, t / 2)),
        // ExponentialLR(gamma=0.8)
        "exponential" => (new ExponentialLr(0.8), t => lr * Math.Pow(0.8, t)),
        // CosineAnnealingLR(T_max=2, eta_min=0.01): lr, (lr + 0.01)/2, 0.01
        "cosine" => (new CosineLr(2, 0.01), t => 0.01 + (lr - 0.01) * (1 + Math.Cos(Math.PI * t / 2)) / 2),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void Sgd_with_schedule(string name)
    {
        const double lr = 0.1, momentum = 0.9;
        var (schedule, rate) = Schedule(name, lr);
        var buf = new double[3];
        AssertTrajectory(new Sgd(lr, momentum) { Schedule = schedule }, (k, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                buf[i] = k == 0 ? g[i] : momentum * buf[i] + g[i];
                next[i] = w[i] - rate(k) * buf[i];
            }
            return next;
        });
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void Adam_with_schedule(string name)
    {
        const double lr = 0.05;
        var (schedule, rate) = Schedule(name, lr);
        var m = new double[3];
        var v = new double[3];
        AssertTrajectory(new Adam(lr) { Schedule = schedule }, (k, w, g) =>
        {
            var t = k + 1;
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                next[i] = w[i] - rate(k) * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
            }
            return next;
        });
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void RmsProp_with_schedule(string name)
    {
        const double lr = 0.02;
        var (schedule, rate) = Schedule(name, lr);
        var squareAvg = new double[3];
        AssertTrajectory(new RmsProp(lr) { Schedule = schedule }, (k, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                squareAvg[i] = 0.99 * squareAvg[i] + 0.01 * g[i] * g[i];
                next[i] = w[i] - rate(k) * g[i] / (Math.Sqrt(squareAvg[i]) + 1e-8);
            }
            return next;
        });
    }

    [Fact]
    public void Schedules_follow_the_closed_forms_over_many_steps()
    {
        for (var t = 0; t < 40; t++)
        {
            Assert.Equal(0.1 * Math.Pow(0.3, t / 7), new StepLr(7, 0.3).LearningRate(0.1, t), 15);
            Assert.Equal(0.1 * Math.Pow(0.95, t), new ExponentialLr(0.95).LearningRate(0.1, t), 15);
            var cosine = t <= 10 ? 0.001 + (0.1 - 0.001) * (1 + Math.Cos(Math.PI * t / 10)) / 2 : 0.001;
            Assert.Equal(cosine, new CosineLr(10, 0.001).LearningRate(0.1, t), 15);
            Assert.Equal(0.1, LrSchedule.None.LearningRate(0.1, t));
        }
    }

    // ---- L2 ---------------------------------------------------------------------------------

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    [InlineData(0.5)]
    public void L2_adds_its_gradient_before_weight_decay(double weightDecay)
    {
        const double lr = 0.05, l2 = 0.05, momentum = 0.9;
        var buf = new double[3];
        AssertTrajectory(new Sgd(lr, momentum, WeightDecay: weightDecay), (k, w, g) =>
        {
            // g already holds the 2λw term (as PyTorch's autograd would produce it).
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                var d = g[i] + weightDecay * w[i];
                buf[i] = k == 0 ? d : momentum * buf[i] + d;
                next[i] = w[i] - lr * buf[i];
            }
            return next;
        }, l2);
    }

    [Fact]
    public void L2_with_adam_and_rmsprop()
    {
        const double l2 = 0.02;
        var m = new double[3];
        var v = new double[3];
        AssertTrajectory(new Adam(0.05), (k, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                next[i] = w[i] - 0.05 * (m[i] / (1 - Math.Pow(0.9, k + 1))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, k + 1))) + 1e-8);
            }
            return next;
        }, l2);

        var squareAvg = new double[3];
        AssertTrajectory(new RmsProp(0.01), (_, w, g) =>
        {
            var next = new double[3];
            for (var i = 0; i < 3; i++)
            {
                squareAvg[i] = 0.99 * squareAvg[i] + 0.01 * g[i] * g[i];
                next[i] = w[i] - 0.01 * g[i] / (Math.Sqrt(squareAvg[i]) + 1e-8);
            }
            return next;
        }, l2);
    }

    [Fact]
    public void The_reported_loss_includes_the_l2_term_of_the_weights_before_the_update()
    {
        const double l2 = 0.25;
        var (weights, losses) = Train(new Sgd(0.1), l2);
        var before = W0.Select(v => (double)v).ToArray();
        for (var k = 0; k < Steps; k++)
        {
            var expected = DataLoss(before) + l2 * before.Sum(wi => wi * wi);
            Assert.Equal(expected, losses[k], 12);
            before = weights[k];
        }
    }
}
