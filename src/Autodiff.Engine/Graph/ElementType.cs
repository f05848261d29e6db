namespace Autodiff.Engine.Graph;

/// <summary>
/// What one element of a tensor is. Everything that trains is float32; int8 holds the activations
/// of frozen, quantised layers (asymmetric, with a scale and zero point carried by the ops that
/// read and write them).
/// </summary>
public enum ElementType { Float32, Int8 }

public static class ElementTypes
{
    /// <summary>Bytes one element takes in memory.</summary>
    public static int Bytes(this ElementType type) => type == ElementType.Int8 ? 1 : 4;

    /// <summary>The C type of one element.</summary>
    public static string CType(this ElementType type) => type == ElementType.Int8 ? "int8_t" : "float";
}
