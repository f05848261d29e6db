using Autodiff.Engine.Boards;
using Autodiff.Engine.Graph;

namespace Autodiff.Engine.Ops;

/// <summary>
/// An op that carries constant data of its own rather than reading parameter tensors: the int8
/// layers, whose quantised weights, int32 biases and requantisation tables are derived at build
/// time and only ever read. The code generator writes them at file scope as <c>const</c> (flash)
/// before the functions, named per node, and the op's <see cref="Op.Emit"/> refers to them with
/// <see cref="IKernelCallWriter.FlashData"/>.
/// </summary>
public interface IFlashData
{
    void EmitFlashData(IFlashDataWriter w);

    /// <summary>Bytes of the tables (weights, biases, requantisation), for the flash figure.</summary>
    long FlashBytes { get; }

    /// <summary>Weights and biases the tables hold (0 for ops without weights), for the per-layer table.</summary>
    long ParameterCount { get; }
}

/// <summary>What <see cref="IFlashData"/> writes with.</summary>
public interface IFlashDataWriter
{
    Node Node { get; }

    /// <summary>The file-scope C name of this node's item <paramref name="suffix"/>.</summary>
    string Name(string suffix);

    /// <summary>Writes <c>static const CTYPE NAME[] = { values };</c> with a comment line.</summary>
    void Table(string suffix, string ctype, IReadOnlyList<long> values, string comment);

    /// <summary>Bytes of working memory planned for the node (the kernel's parameter block records it).</summary>
    long ScratchBytes { get; }

    /// <summary>Writes a raw line at file scope (a parameter block initialiser).</summary>
    void Line(string code);
}

/// <summary>An op whose kernel needs working memory, sized by the implementation chosen for its family on the board.</summary>
public interface IScratchUser
{
    /// <summary>Bytes for <paramref name="implementation"/> ("portable", "cmsis") on <paramref name="board"/>; 0 for none.</summary>
    long ScratchBytes(Node node, string implementation, BoardSpec board);
}
