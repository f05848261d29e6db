using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.Graph;

/// <summary>Raised by <see cref="GraphBuilder"/> when an op rejects its input shapes.</summary>
public sealed class GraphBuildException(Diagnostic diagnostic) : Exception(diagnostic.Message)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}

/// <summary>
/// Builds a <see cref="ComputeGraph"/> from code, the way the model reads on paper:
/// <code>
/// var g = new GraphBuilder(batch: 1);
/// var x = g.Input("x", 784); var y = g.Target("y", 10);
/// var w1 = g.Param("fc1.weight", 32, 784);
/// var h = g.Sigmoid(g.Linear(x, w1));
/// ...
/// var loss = g.NllLoss(g.LogSoftmax(logits), y);
/// var grads = g.Backward(loss, g.Graph.Parameters);
/// </code>
/// Op-specific helpers (<c>Sigmoid</c>, <c>Linear</c> ...) are extension methods in each op's file.
/// Shape errors raise <see cref="GraphBuildException"/> carrying an AD2xxx diagnostic.
/// </summary>
public sealed class GraphBuilder
{
    public const string ShapeMismatchCode = "AD2001";
    public const string TensorTooLargeCode = "AD2008";

    /// <summary>
    /// The largest tensor the engine builds: 2^26 floats (256 MiB), far beyond any microcontroller,
    /// and small enough that element and byte counts never overflow 32-bit C sizes.
    /// </summary>
    public const long MaxTensorElements = 1L << 26;

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>
    /// Per stem, a suffix below which every <c>stem_i</c> is taken, so <see cref="UniqueName"/> starts
    /// there: trying 1, 2, ... for every new name made naming quadratic in the number of layers.
    /// </summary>
    private readonly Dictionary<string, int> _takenBelow = new(StringComparer.Ordinal);

    public GraphBuilder(int batch = 1)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch));
        Batch = batch;
    }

    public ComputeGraph Graph { get; } = new();
    public int Batch { get; }

    /// <summary>Phase given to nodes added from now on; the autodiff and optimizers switch it.</summary>
    public NodePhase Phase { get; set; } = NodePhase.Forward;

    /// <summary>Source position attached to nodes added from now on when none is passed.</summary>
    public SourceLocation? CurrentSource { get; set; }

    /// <summary>A model input of the given per-sample shape; the batch becomes its leading dimension.</summary>
    public Tensor Input(string name, params int[] perSampleShape) =>
        AddTensor(name, new Shape([Batch, .. perSampleShape]), TensorRole.Input, CurrentSource);

    /// <summary>A training target of the given per-sample shape.</summary>
    public Tensor Target(string name, params int[] perSampleShape) =>
        AddTensor(name, new Shape([Batch, .. perSampleShape]), TensorRole.Target, CurrentSource);

    /// <summary>A trainable parameter with its initial values (row-major; null = zeros).</summary>
    public Tensor Param(string name, float[]? initialValue, params int[] shape) =>
        AddPersistent(name, new Shape(shape), TensorRole.Parameter, initialValue);

    /// <summary>A trainable parameter initialised to zeros.</summary>
    public Tensor Param(string name, params int[] shape) => Param(name, null, shape);

    /// <summary>A frozen parameter: constant values placed in flash, never differentiated.</summary>
    public Tensor Frozen(string name, float[] value, params int[] shape) =>
        AddPersistent(name, new Shape(shape), TensorRole.FrozenParameter, value);

    /// <summary>Optimizer state of the given shape, initialised to zeros.</summary>
    public Tensor State(string name, Shape shape) =>
        AddPersistent(name, shape, TensorRole.OptimizerState, null);

    /// <summary>Adds a node applying <paramref name="op"/> and returns its output.</summary>
    public Tensor Apply(Op op, params Tensor[] inputs) => Apply(op, inputs, null, null);

    /// <summary>Adds a node applying <paramref name="op"/>, naming its output and recording where it came from.</summary>
    public Tensor Apply(Op op, IReadOnlyList<Tensor> inputs, string? name, SourceLocation? source)
    {
        source ??= CurrentSource;
        var shape = op.InferShape(inputs.Select(t => t.Shape).ToArray(), out var error);
        if (shape is not null) CheckSize(name ?? op.Name, shape.Dims, source);
        if (shape is null)
        {
            var operands = string.Join(", ", inputs.Select(t => $"'{t.Name}' {t.Shape}"));
            throw new GraphBuildException(new Diagnostic(ShapeMismatchCode, Severity.Error,
                $"{op.Describe()} cannot take {operands}: {error}", source));
        }

        var role = Phase == NodePhase.Forward ? TensorRole.Activation : TensorRole.Gradient;
        var output = AddTensor(name ?? UniqueName(op.Name), shape, role, source);
        output.ElementType = op.OutputElementType(inputs);
        var node = new Node(Graph.NodeList.Count, op, inputs.ToArray(), output, [], Phase, source);
        output.Producer = node;
        Graph.NodeList.Add(node);
        return output;
    }

    /// <summary>Adds a node that overwrites <paramref name="updates"/> (all among its inputs) in place.</summary>
    public Node ApplyUpdate(Op op, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> updates, SourceLocation? source = null)
    {
        var node = new Node(Graph.NodeList.Count, op, inputs.ToArray(), null, updates.ToArray(), NodePhase.Update, source ?? CurrentSource);
        Graph.NodeList.Add(node);
        return node;
    }

    /// <summary>Reverse-mode gradients of <paramref name="loss"/> with respect to each parameter.</summary>
    public IReadOnlyDictionary<Tensor, Tensor> Backward(Tensor loss, IEnumerable<Tensor> parameters) =>
        ReverseMode.Differentiate(this, loss, parameters.ToArray());

    /// <summary>Gives a computed tensor a readable name (e.g. the layer's <c>name:</c>); the name is only a label.</summary>
    public void Rename(Tensor tensor, string name)
    {
        if (tensor.Name == name || tensor.Producer is null) return;
        Release(tensor.Name);
        tensor.Name = UniqueName(name);
        _names.Add(tensor.Name);
    }

    /// <summary><paramref name="stem"/> when free, else <c>stem_i</c> with the smallest free i ≥ 1.</summary>
    public string UniqueName(string stem)
    {
        if (!_names.Contains(stem)) return stem;
        var i = _takenBelow.GetValueOrDefault(stem, 1);
        while (_names.Contains($"{stem}_{i}")) i++;
        _takenBelow[stem] = i;
        return $"{stem}_{i}";
    }

    /// <summary>Frees a name; a freed <c>stem_i</c> lowers the stem's start so the smallest free suffix is still found.</summary>
    private void Release(string name)
    {
        _names.Remove(name);
        // A suffix is digits only, so stem_i splits at its last underscore.
        var cut = name.LastIndexOf('_');
        if (cut > 0 && int.TryParse(name.AsSpan(cut + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
            && _takenBelow.TryGetValue(name[..cut], out var below) && i < below)
            _takenBelow[name[..cut]] = i;
    }

    private Tensor AddPersistent(string name, Shape shape, TensorRole role, float[]? initialValue)
    {
        if (initialValue is not null && initialValue.Length != shape.Count)
            throw new ArgumentException($"'{name}' has {initialValue.Length} initial values for shape {shape}");
        var t = AddTensor(name, shape, role, CurrentSource);
        t.InitialValue = initialValue;
        return t;
    }

    /// <summary>Raises AD2008 when a tensor of these dimensions would exceed <see cref="MaxTensorElements"/>.</summary>
    public void CheckSize(string name, IReadOnlyList<int> dims, SourceLocation? source)
    {
        long elements = 1;
        foreach (var d in dims)
        {
            elements *= d;
            if (elements > MaxTensorElements)
                throw new GraphBuildException(new Diagnostic(TensorTooLargeCode, Severity.Error,
                    $"'{name}' would be [{string.Join(", ", dims)}], more than the {MaxTensorElements} elements (256 MiB) a tensor may have",
                    source ?? CurrentSource));
        }
    }

    private Tensor AddTensor(string name, Shape shape, TensorRole role, SourceLocation? source)
    {
        var unique = UniqueName(name);
        _names.Add(unique);
        var t = new Tensor(Graph.TensorList.Count, unique, shape, role, source);
        Graph.TensorList.Add(t);
        return t;
    }
}
