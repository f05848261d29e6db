using System.Globalization;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.CodeGen;

/// <summary>The code generator's side of <see cref="IKernelCallWriter"/> for one node.</summary>
internal sealed class KernelCallWriter(Node node, TensorAddressing addressing, CWriter writer, string stepCounter, string model, string stepLocalPrefix = "")
    : IKernelCallWriter
{
    public Node Node { get; } = node;
    public string Scratch => addressing.Scratch(Node);
    public long ScratchBytes => addressing.ScratchBytes(Node);
    public string FlashData(string suffix) => addressing.FlashData(model, Node, suffix);

    public string In(int index) => addressing.Ptr(Node.Inputs[index]);
    public string Out => addressing.Ptr(Node.Out);
    public string Ptr(Tensor tensor) => addressing.Ptr(tensor);
    public string StepCounter => stepCounter;
    public string StepLocal(string what) => stepLocalPrefix + what;

    public void Call(string function, params object[] args) => writer.Line(Expression(function, args) + ";");

    public string Expression(string function, params object[] args) => $"{function}({string.Join(", ", args.Select(Format))})";

    public void Line(string code) => writer.Line(code);

    private static string Format(object arg) => arg switch
    {
        string s => s,
        int i when i >= 0 => CText.Unsigned(i),
        long l when l >= 0 => CText.Unsigned(l),
        int or long => Convert.ToString(arg, CultureInfo.InvariantCulture)!,
        float f => CText.Float(f),
        double d => CText.Float(d),
        bool b => b ? "1" : "0",
        _ => throw new ArgumentException($"cannot pass {arg.GetType().Name} to a kernel"),
    };
}
