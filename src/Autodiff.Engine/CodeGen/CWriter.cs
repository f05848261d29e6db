using System.Text;

namespace Autodiff.Engine.CodeGen;

/// <summary>Accumulates C source with four-space indentation; braces at line ends open and close blocks.</summary>
public sealed class CWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string code = "")
    {
        var trimmed = code.Trim();
        if (trimmed.StartsWith('}')) _indent = Math.Max(0, _indent - 1);
        if (trimmed.Length == 0) _text.Append('\n');
        else _text.Append(' ', 4 * _indent).Append(trimmed).Append('\n');
        if (trimmed.EndsWith('{')) _indent++;
    }

    public void Comment(string text) => Line("/* " + CText.Comment(text) + " */");

    public override string ToString() => _text.ToString();
}
