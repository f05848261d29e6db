using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>A value from the model file together with where it was written.</summary>
public sealed record Located<T>(T Value, SourceLocation Location)
{
    public override string ToString() => Value?.ToString() ?? "";
}
