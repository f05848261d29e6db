using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

// Inverted dropout with a counter-based mask: element i of training step s is kept when
// DropoutMask.Bits(seed, s, i) ≥ threshold = floor(p · 2³²), and kept values are scaled by 1/(1 − p).
// The mask is a pure function of (seed, step, index), so the backward pass recomputes it instead of
// storing it, and C and C# agree bit for bit (integer arithmetic only). In prediction the op is the
// identity. Kernels: kernels/*/dropout.c (the hash there must stay identical to DropoutMask).

/// <summary>The mask hash shared by the interpreter and the C kernels.</summary>
public static class DropoutMask
{
    /// <summary>The integer threshold for drop probability <paramref name="p"/> in [0, 1).</summary>
    public static uint Threshold(double p) => (uint)(p * 4294967296.0);

    // murmur3's 32-bit finaliser: every input bit affects every output bit.
    private static uint Mix(uint h)
    {
        unchecked
        {
            h ^= h >> 16;
            h *= 0x85EBCA6Bu;
            h ^= h >> 13;
            h *= 0xC2B2AE35u;
            h ^= h >> 16;
            return h;
        }
    }

    /// <summary>A per-step key; the elements of a step then walk a Weyl sequence through the mixer.</summary>
    public static uint StepKey(uint seed, uint step) => unchecked(Mix(seed ^ Mix(step + 0x9E3779B9u)));

    public static uint Bits(uint key, uint index) => unchecked(Mix(key + index * 0x9E3779B9u));

    public static bool Keep(uint key, uint index, uint threshold) => Bits(key, index) >= threshold;
}

/// <summary>Shared attributes of dropout and its backward op.</summary>
public abstract class DropoutOpBase : Op
{
    protected DropoutOpBase(double p, uint seed)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), "p must be in [0, 1)");
        P = p;
        Seed = seed;
    }

    /// <summary>Probability of dropping an element.</summary>
    public double P { get; }
    public uint Seed { get; }
    public uint Threshold => DropoutMask.Threshold(P);

    /// <summary>1 / (1 − p), rounded to float32 as the C kernel receives it.</summary>
    public float Scale => (float)(1.0 / (1.0 - P));

    public override string KernelFamily => "dropout";
    public override string Describe() => $"{Name}(p={P:R}, seed={Seed})";
    public override bool CanRunInPlace => true;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 ? null : $"{Name} takes one tensor";
        return error is null ? s[0] : null;
    }

    /// <summary>y = mask ⊙ x · scale with the mask of this step.</summary>
    protected void ApplyMask<T>(T[] x, T[] y, long step) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var key = DropoutMask.StepKey(Seed, unchecked((uint)step));
        var threshold = Threshold;
        var scale = T.CreateChecked(Scale);
        for (var i = 0; i < x.Length; i++)
            y[i] = DropoutMask.Keep(key, (uint)i, threshold) ? x[i] * scale : T.Zero;
    }

    // Seed and threshold may exceed int.MaxValue, so they are written as unsigned literals here.
    protected void EmitKernel(IKernelCallWriter c, string function) =>
        c.Call(function, c.In(0), c.Out, c.Node.Out.Shape.Count, $"{Seed}u", c.StepCounter, $"{Threshold}u", Scale);
}

/// <summary>Dropout of probability <see cref="DropoutOpBase.P"/>; the identity in prediction.</summary>
public sealed class DropoutOp(double p, uint seed) : DropoutOpBase(p, seed), IPredictionEmitter
{
    public override string Name => "dropout";

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        if (a.Context.Training) ApplyMask(a.In(0), a.Out, a.Context.Step);
        else Array.Copy(a.In(0), a.Out, a.Out.Length);
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new DropoutGradOp(P, Seed), [ctx.GradOutput], "grad." + ctx.Input(0).Name, null)];

    /// <summary>The training-step call; prediction uses <see cref="EmitForPrediction"/>.</summary>
    public override void Emit(IKernelCallWriter c) => EmitKernel(c, "ad_dropout_f32");

    /// <summary>In prediction the same kernel with threshold 0 and scale 1 keeps every element: a copy.</summary>
    public void EmitForPrediction(IKernelCallWriter c) =>
        c.Call("ad_dropout_f32", c.In(0), c.Out, c.Node.Out.Shape.Count, $"{Seed}u", c.StepCounter, "0u", 1.0f);
}

/// <summary>dx = mask ⊙ dy · scale, with the forward pass's mask recomputed. Input: dy.</summary>
public sealed class DropoutGradOp(double p, uint seed) : DropoutOpBase(p, seed)
{
    public override string Name => "dropout_backward";

    public override void Evaluate<T>(EvalArgs<T> a) => ApplyMask(a.In(0), a.Out, a.Context.Step);

    public override void Emit(IKernelCallWriter c) => EmitKernel(c, "ad_dropout_backward_f32");
}

public static class DropoutGraphExtensions
{
    /// <summary>
    /// Drops each element with probability <paramref name="p"/> while training. Give each dropout
    /// layer of a model its own <paramref name="seed"/>, or their masks coincide.
    /// </summary>
    public static Tensor Dropout(this GraphBuilder g, Tensor x, double p = 0.5, uint seed = 0) =>
        g.Apply(new DropoutOp(p, seed), x);
}
