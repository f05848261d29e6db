using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Resolves the tensor names of a model: registers input and layer names (AD2102), turns every
/// <c>in:</c> name into a <see cref="TensorRef"/> (AD2101, AD2106), finds cycles (AD2103), orders
/// the layers so each follows its operands, and warns about outputs and inputs nobody uses.
/// </summary>
internal static class NameResolver
{
    public sealed record Result(
        IReadOnlyList<IReadOnlyList<TensorRef>> Operands,
        IReadOnlyList<int> Order,
        TensorRef LossInput);

    public static Result? Resolve(IReadOnlyList<InputSpec> inputs, IReadOnlyList<RawLayer> layers, RawLoss loss, ReadContext ctx)
    {
        var diags = ctx.Diags;
        var names = new Dictionary<string, TensorRef>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
            names[inputs[i].Name] = new TensorRef(TensorSource.Input, i, inputs[i].Name, inputs[i].Location);
        foreach (var layer in layers)
        {
            if (layer.Name is not { } name) continue;
            if (names.TryGetValue(name.Value, out var first))
            {
                var what = first.Source == TensorSource.Input ? "an input" : "another layer";
                diags.Error(ModelDiagnosticCodes.DuplicateTensor,
                    $"name '{name.Value}' is already used by {what} at {first.Location.Line}:{first.Location.Column}", name.Location);
                continue;
            }
            names[name.Value] = new TensorRef(TensorSource.Layer, layer.Index, name.Value, name.Location);
        }

        TensorRef? Lookup(Located<string> written)
        {
            if (names.TryGetValue(written.Value, out var found)) return found with { Location = written.Location };
            diags.Error(ModelDiagnosticCodes.UnknownTensor,
                $"no input or layer is named '{ModelNames.Printable(written.Value)}'" + Suggest.Hint(written.Value, names.Keys),
                written.Location);
            return null;
        }

        // The tensor a layer without `in:` reads: the previous layer's output, or for the first
        // layer the first input that is not the loss target.
        var firstData = inputs.ToList().FindIndex(i => i.Name != loss.Target.Value);
        var operands = new List<IReadOnlyList<TensorRef>>();
        foreach (var layer in layers)
        {
            var refs = new List<TensorRef>();
            if (layer.ReadsPrevious)
            {
                if (layer.Index > 0) refs.Add(new TensorRef(TensorSource.Layer, layer.Index - 1, null, layer.Location));
                else if (firstData >= 0) refs.Add(new TensorRef(TensorSource.Input, firstData, null, layer.Location));
                else
                    diags.Error(ModelDiagnosticCodes.NoPreviousOutput,
                        $"{layer.Keyword} has no 'in' and there is no previous output to read: every input is the loss target", layer.Location);
            }
            foreach (var written in layer.InNames)
                if (Lookup(written) is { } r) refs.Add(r);
            operands.Add(refs);
        }

        TensorRef? lossInput = null;
        if (loss.In is { } lossIn)
        {
            lossInput = Lookup(lossIn);
            if (lossInput is { Source: TensorSource.Input })
            {
                diags.Error(ModelDiagnosticCodes.LossReadsInput,
                    $"the loss reads input '{lossIn.Value}' directly; 'in' must name a layer", lossIn.Location);
                lossInput = null;
            }
        }
        else if (layers.Count > 0)
        {
            lossInput = new TensorRef(TensorSource.Layer, layers.Count - 1, null, loss.Location);
        }

        var order = Order(layers, operands, ctx);
        if (order is null || lossInput is null || ctx.HasErrors) return null;

        WarnUnused(inputs, layers, operands, lossInput, loss, diags);
        return new Result(operands, order, lossInput);
    }

    /// <summary>
    /// Kahn's algorithm, always taking the lowest ready index, so the order is declaration order
    /// wherever the names allow. Layers left over sit on or behind a cycle; each cycle is reported once.
    /// </summary>
    private static List<int>? Order(IReadOnlyList<RawLayer> layers, IReadOnlyList<IReadOnlyList<TensorRef>> operands, ReadContext ctx)
    {
        var n = layers.Count;
        var pending = new int[n];
        var users = new List<int>[n];
        for (var i = 0; i < n; i++) users[i] = [];
        for (var i = 0; i < n; i++)
            foreach (var r in operands[i].Where(r => r.Source == TensorSource.Layer).Select(r => r.Index).Distinct())
            {
                pending[i]++;
                users[r].Add(i);
            }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < n; i++)
            if (pending[i] == 0) ready.Enqueue(i, i);
        var order = new List<int>(n);
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(i);
            foreach (var u in users[i])
                if (--pending[u] == 0) ready.Enqueue(u, u);
        }
        if (order.Count == n) return order;

        ReportCycles(layers, operands, pending, ctx);
        return null;
    }

    private static void ReportCycles(IReadOnlyList<RawLayer> layers, IReadOnlyList<IReadOnlyList<TensorRef>> operands, int[] pending, ReadContext ctx)
    {
        // Every left-over layer has a left-over operand, so following them must revisit a layer.
        var visited = new bool[layers.Count];
        for (var start = 0; start < layers.Count; start++)
        {
            if (pending[start] == 0 || visited[start]) continue;
            var path = new List<int>();
            var onPath = new Dictionary<int, int>();
            var current = start;
            while (!visited[current])
            {
                visited[current] = true;
                onPath[current] = path.Count;
                path.Add(current);
                current = operands[current].First(r => r.Source == TensorSource.Layer && pending[r.Index] > 0).Index;
            }
            if (!onPath.TryGetValue(current, out var cycleStart)) continue; // reached an already reported cycle

            // path[k] reads path[k+1]; the cycle closes back to path[cycleStart].
            var cycle = path.Skip(cycleStart).ToList();
            var earliest = cycle.Min();
            var k = cycle.IndexOf(earliest);
            var next = cycle[(k + 1) % cycle.Count];
            // The earliest-declared layer of the cycle reads a later one: that forward reference is reported.
            var reference = operands[earliest].First(r => r.Source == TensorSource.Layer && r.Index == next);
            var loop = cycle.Skip(k).Concat(cycle.Take(k)).Append(earliest).Select(i => layers[i].Name?.Value ?? layers[i].Keyword);
            ctx.Diags.Error(ModelDiagnosticCodes.Cycle,
                $"layers read each other in a cycle: {string.Join(" reads ", loop)}", reference.Location);
        }
    }

    private static void WarnUnused(IReadOnlyList<InputSpec> inputs, IReadOnlyList<RawLayer> layers,
        IReadOnlyList<IReadOnlyList<TensorRef>> operands, TensorRef lossInput, RawLoss loss, DiagnosticBag diags)
    {
        // Live: everything the loss or the model output (the last layer, what predict returns) depends on.
        var live = new bool[layers.Count];
        var inputUsed = new bool[inputs.Count];
        var stack = new Stack<int>([lossInput.Index, layers.Count - 1]);
        while (stack.TryPop(out var i))
        {
            if (live[i]) continue;
            live[i] = true;
            foreach (var r in operands[i])
                if (r.Source == TensorSource.Layer) stack.Push(r.Index);
                else inputUsed[r.Index] = true;
        }
        foreach (var layer in layers.Where(l => !live[l.Index]))
            diags.Warning(ModelDiagnosticCodes.UnusedLayer,
                $"the output of {layer.Name?.Value ?? layer.Keyword} reaches neither the loss nor the model output", layer.Location);
        for (var i = 0; i < inputs.Count; i++)
            if (!inputUsed[i] && i != loss.TargetIndex)
                diags.Warning(ModelDiagnosticCodes.UnusedInput, $"input '{inputs[i].Name}' is never read", inputs[i].Location);
    }
}
