using System.Globalization;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Ops;

namespace Autodiff.Engine.CodeGen;

/// <summary>
/// Writes one node's flash data (<see cref="IFlashData"/>) at file scope. Tables are remembered by
/// content in <paramref name="written"/>; with <paramref name="reuse"/>, a table some node wrote
/// already is not written again and its name stands in for this node's (the batch-1 pass of
/// <c>NAME_predict_one</c> reads the training step's int8 weights instead of a second copy in flash).
/// Parameter blocks are always the node's own: they hold its batch and working memory.
/// </summary>
internal sealed class FlashDataWriter(Node node, CWriter w, Func<string, string> name, long scratchBytes, Dictionary<string, string> written, bool reuse)
    : IFlashDataWriter
{
    private readonly Dictionary<string, string> _tableNames = new(StringComparer.Ordinal);

    public Node Node { get; } = node;
    public long ScratchBytes { get; } = scratchBytes;
    public string Name(string suffix) => _tableNames.TryGetValue(suffix, out var table) ? table : name(suffix);
    public void Line(string code) => w.Line(code);

    public void Table(string suffix, string ctype, IReadOnlyList<long> values, string comment)
    {
        var content = ctype + ":" + string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        if (reuse && written.TryGetValue(content, out var existing))
        {
            w.Comment($"{comment}: the same as {existing}");
            _tableNames[suffix] = existing;
            return;
        }
        var own = name(suffix);
        w.Comment(comment);
        w.Line($"static const {ctype} {own}[{CText.Unsigned(Math.Max(values.Count, 1))}] = {{");
        if (values.Count == 0) w.Line("0,");
        for (var i = 0; i < values.Count; i += 16)
            w.Line(string.Join(", ", values.Skip(i).Take(16).Select(v => v.ToString(CultureInfo.InvariantCulture))) + ",");
        w.Line("};");
        written.TryAdd(content, own);
        _tableNames[suffix] = own;
    }
}
