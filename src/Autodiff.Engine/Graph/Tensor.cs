using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Graph;

/// <summary>What a tensor is for; decides where it lives (caller's buffer, flash, arena) and its lifetime.</summary>
public enum TensorRole
{
    /// <summary>A model input (e.g. the sensor sample), read through the caller's pointer.</summary>
    Input,
    /// <summary>A training target, read through the caller's pointer.</summary>
    Target,
    /// <summary>A trainable parameter: lives in RAM for the whole program.</summary>
    Parameter,
    /// <summary>A frozen parameter: <c>const</c>, lives in flash.</summary>
    FrozenParameter,
    /// <summary>A value computed by a forward node.</summary>
    Activation,
    /// <summary>A value computed by the backward pass.</summary>
    Gradient,
    /// <summary>Optimizer state (momentum, Adam moments): lives in RAM for the whole program.</summary>
    OptimizerState,
}

/// <summary>A value in the graph. Produced by at most one node; read by any number.</summary>
public sealed class Tensor
{
    internal Tensor(int id, string name, Shape shape, TensorRole role, SourceLocation? source)
    {
        Id = id;
        Name = name;
        Shape = shape;
        Role = role;
        Source = source;
    }

    public int Id { get; }

    /// <summary>Readable name: the YAML name for named layers, otherwise derived (e.g. <c>fc1.weight</c>, <c>grad.h1</c>).</summary>
    public string Name { get; internal set; }
    public Shape Shape { get; }
    public TensorRole Role { get; }
    public SourceLocation? Source { get; }

    /// <summary>What one element is: float32 unless an int8 op produced it.</summary>
    public ElementType ElementType { get; internal set; } = ElementType.Float32;

    /// <summary>Bytes the tensor's elements take.</summary>
    public long Bytes => (long)Shape.Count * ElementType.Bytes();

    /// <summary>The node that computes this tensor; null for inputs, targets, parameters and state.</summary>
    public Node? Producer { get; internal set; }

    /// <summary>Initial values of parameters and optimizer state (row-major); null means zeros.</summary>
    public float[]? InitialValue { get; internal set; }

    public bool IsPersistent => Role is TensorRole.Parameter or TensorRole.FrozenParameter or TensorRole.OptimizerState;

    public override string ToString() => ElementType == ElementType.Float32 ? $"{Name}{Shape}" : $"{Name}{Shape}:{ElementType.ToString().ToLowerInvariant()}";
}
