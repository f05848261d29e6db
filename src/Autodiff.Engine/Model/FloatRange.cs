using System.Globalization;

namespace Autodiff.Engine.Model;

/// <summary>An interval a hyperparameter must lie in; prints as <c>[0, 1)</c> in messages.</summary>
public sealed record FloatRange(double Min, double Max, bool MinOpen, bool MaxOpen)
{
    public static FloatRange Any { get; } = new(double.NegativeInfinity, double.PositiveInfinity, true, true);
    public static FloatRange Positive { get; } = new(0, double.PositiveInfinity, true, true);
    public static FloatRange NonNegative { get; } = new(0, double.PositiveInfinity, false, true);
    /// <summary>[0, 1): momentum, betas, dropout probability.</summary>
    public static FloatRange UnitHalfOpen { get; } = new(0, 1, false, true);
    /// <summary>[0, 1]: dampening.</summary>
    public static FloatRange UnitClosed { get; } = new(0, 1, false, false);

    public bool Contains(double v) =>
        (MinOpen ? v > Min : v >= Min) && (MaxOpen ? v < Max : v <= Max);

    public override string ToString()
    {
        static string F(double d) => double.IsInfinity(d) ? (d > 0 ? "∞" : "-∞") : d.ToString(CultureInfo.InvariantCulture);
        return $"{(MinOpen ? "(" : "[")}{F(Min)}, {F(Max)}{(MaxOpen ? ")" : "]")}";
    }
}
