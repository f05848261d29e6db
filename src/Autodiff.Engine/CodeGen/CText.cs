using System.Globalization;
using System.Text;

namespace Autodiff.Engine.CodeGen;

/// <summary>
/// Turns engine values into C text that cannot break out of its place: literals that round-trip
/// exactly, comments that cannot close early, strings escaped whatever the model file said.
/// </summary>
public static class CText
{
    /// <summary>A float literal that reads back as exactly <paramref name="value"/>.</summary>
    public static string Float(float value)
    {
        if (!float.IsFinite(value)) throw new ArgumentException("non-finite constant", nameof(value));
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        if (!s.Contains('.') && !s.Contains('E')) s += ".0";
        return s + "f";
    }

    public static string Float(double value) => Float((float)value);

    /// <summary>A double literal that reads back as exactly <paramref name="value"/>.</summary>
    public static string Double(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentException("non-finite constant", nameof(value));
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    public static string Unsigned(long value) => value.ToString(CultureInfo.InvariantCulture) + "u";

    /// <summary>Text safe inside <c>/* ... */</c>: printable ASCII only and no comment delimiters.</summary>
    public static string Comment(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text) sb.Append(ch is >= ' ' and <= '~' ? ch : '?');
        return sb.ToString().Replace("*/", "* /").Replace("/*", "/ *");
    }

    /// <summary>A C string literal; anything but letters, digits and a few punctuation marks is octal-escaped.</summary>
    public static string String(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var ch = (char)b;
            if (char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-' or ' ') sb.Append(ch);
            else sb.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
        }
        return sb.Append('"').ToString();
    }
}
