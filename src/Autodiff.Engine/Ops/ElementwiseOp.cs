using System.Globalization;
using System.Numerics;
using System.Reflection;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Model;

namespace Autodiff.Engine.Ops;

/// <summary>Which forward value an element-wise derivative is written in.</summary>
public enum DerivativeOf
{
    /// <summary>f′ from the input x (log, sin, pow ...).</summary>
    Input,
    /// <summary>f′ from the output y (sigmoid, tanh, exp ...): the input's memory may then be reused by the output.</summary>
    Output,
}

/// <summary>
/// An element-wise function of one tensor with its own keyword in the model language (activations
/// and math functions). One subclass holds the whole op: keyword, arguments and their defaults, the
/// function and its derivative for the reference interpreter (generic over double and float32), and
/// both again as C expressions that the code generator writes into loops, so no kernel is needed.
/// Subclasses are found by reflection (<see cref="ElementwiseFunctions"/>): adding a function is adding
/// one file. Each needs a public constructor whose parameters all have defaults (the prototype the
/// model language configures with <see cref="Configure"/>).
/// </summary>
public abstract class ElementwiseFunction : Op
{
    /// <summary>The model language's keyword; also the op's name.</summary>
    public abstract string Keyword { get; }

    public override string Name => Keyword;

    /// <summary>
    /// True for the functions the kernel ABI also has as calls (<c>activations.c</c>:
    /// <c>ad_&lt;keyword&gt;_f32</c> and <c>ad_&lt;keyword&gt;_backward_f32</c>, same results as the
    /// C expressions below); the generated code then calls them, so a board's vector implementation
    /// can run them (GCC 12 vectorizes no float loop for Helium without -funsafe-math-optimizations).
    /// The rest are computed inline and link no kernel.
    /// </summary>
    public virtual bool HasKernel => false;

    /// <summary>The kernel family of functions with <see cref="HasKernel"/>, else none.</summary>
    public override string? KernelFamily => HasKernel ? ActivationsFamily : null;

    public const string ActivationsFamily = "activations";

    /// <summary>The keyword's arguments with their schema defaults.</summary>
    public virtual IReadOnlyList<ArgRule> Arguments => [];

    /// <summary>The op for a layer's validated arguments (defaults already filled in).</summary>
    public virtual ElementwiseFunction Configure(LayerArgs args, DiagnosticBag diagnostics) => this;

    /// <summary>The value the derivative reads.</summary>
    public abstract DerivativeOf DerivativeOf { get; }

    /// <summary>f(x), the reference evaluation.</summary>
    public abstract T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>f′ expressed through the saved value (<see cref="DerivativeOf"/>).</summary>
    public abstract T Derivative<T>(T saved) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>f as a C expression of the <c>float</c> variable <paramref name="x"/>, which it may name several times.</summary>
    public abstract string CApply(string x);

    /// <summary>A declaration <see cref="CApply"/> may use (e.g. one exponential shared by both branches); null for none.</summary>
    public virtual string? CApplyLocal(string x) => null;

    /// <summary>f′ as a C expression of the saved <c>float</c> variable <paramref name="saved"/>.</summary>
    public abstract string CDerivative(string saved);

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 1 ? null : $"{Name} takes one input";
        return error is null ? s[0] : null;
    }

    public override bool CanRunInPlace => true;

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (x, y) = (a.In(0), a.Out);
        for (var i = 0; i < x.Length; i++) y[i] = Apply(x[i]);
    }

    public override IReadOnlyList<Tensor?> Backward(BackwardContext ctx) =>
        [ctx.Builder.Apply(new ElementwiseDerivativeOp(this), [ctx.GradOutputOrOne(), DerivativeOf == DerivativeOf.Output ? ctx.Output : ctx.Input(0)],
            "grad." + ctx.Input(0).Name, null)];

    public override void Emit(IKernelCallWriter c)
    {
        if (HasKernel)
        {
            c.Line($"ad_{Keyword}_f32({c.In(0)}, {c.Out}, {c.Node.Out.Shape.Count}u);");
            return;
        }
        c.Line($"for (size_t i = 0; i < {c.Node.Out.Shape.Count}u; ++i) {{");
        c.Line($"const float u = {c.In(0)}[i];");
        if (CApplyLocal("u") is { } local) c.Line(local);
        c.Line($"{c.Out}[i] = {CApply("u")};");
        c.Line("}");
    }

    /// <summary>A float literal for C.</summary>
    protected static string F(float value) => CodeGen.CText.Float(value);

    /// <summary>A float for <see cref="Op.Describe"/>.</summary>
    protected static string R(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>dx = dy · f′(saved) for an <see cref="ElementwiseFunction"/> f. Inputs: dy, saved (x or y of the forward node).</summary>
public sealed class ElementwiseDerivativeOp(ElementwiseFunction function) : Op
{
    public ElementwiseFunction Function { get; } = function;

    public override string Name => Function.Name + "_backward";
    public override string Describe() => Function.Describe() + "_backward";
    public override string? KernelFamily => Function.KernelFamily;

    public override Shape? InferShape(IReadOnlyList<Shape> s, out string? error)
    {
        error = s.Count == 2 && s[0].Equals(s[1]) ? null : $"{Name} takes dy and a saved tensor of the same shape";
        return error is null ? s[0] : null;
    }

    /// <summary>dx may take over dy's memory: each element reads dy[i] and saved[i] before writing dx[i].</summary>
    public override bool CanRunInPlace => true;

    public override void Evaluate<T>(EvalArgs<T> a)
    {
        var (dy, saved, dx) = (a.In(0), a.In(1), a.Out);
        for (var i = 0; i < dy.Length; i++) dx[i] = dy[i] * Function.Derivative(saved[i]);
    }

    public override void Emit(IKernelCallWriter c)
    {
        if (Function.HasKernel)
        {
            c.Line($"ad_{Function.Keyword}_backward_f32({c.In(0)}, {c.In(1)}, {c.Out}, {c.Node.Out.Shape.Count}u);");
            return;
        }
        c.Line($"for (size_t i = 0; i < {c.Node.Out.Shape.Count}u; ++i) {{");
        c.Line($"const float s = {c.In(1)}[i];");
        c.Line($"{c.Out}[i] = {c.In(0)}[i] * ({Function.CDerivative("s")});");
        c.Line("}");
    }
}

/// <summary>Every <see cref="ElementwiseFunction"/> of the engine, by keyword: the model language's element-wise layers.</summary>
public static class ElementwiseFunctions
{
    public static IReadOnlyDictionary<string, ElementwiseFunction> ByKeyword { get; } = Discover();

    private static Dictionary<string, ElementwiseFunction> Discover() =>
        typeof(ElementwiseFunction).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ElementwiseFunction)) && !t.IsAbstract)
            .Select(Prototype)
            .ToDictionary(f => f.Keyword, StringComparer.Ordinal);

    private static ElementwiseFunction Prototype(Type type)
    {
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .SingleOrDefault(c => c.GetParameters().All(p => p.HasDefaultValue))
            ?? throw new InvalidOperationException($"{type.Name} needs a public constructor whose parameters all have defaults");
        return (ElementwiseFunction)constructor.Invoke(constructor.GetParameters().Select(p => p.DefaultValue).ToArray());
    }
}
