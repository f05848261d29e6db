using System.Globalization;

namespace Autodiff.Engine.Model;

/// <summary>
/// Reads numbers and booleans from plain YAML scalars. Only decimal forms are accepted
/// (no <c>0x</c>, no <c>1_000</c>, no <c>.inf</c>, no YAML 1.1 <c>yes</c>/<c>no</c>): a model file
/// is read by people, and one spelling per value keeps it unambiguous across YAML versions.
/// </summary>
internal static class ScalarText
{
    public enum IntResult { Ok, NotInteger, TooLarge }

    public static IntResult TryInt(string text, out long value)
    {
        value = 0;
        var digits = text.AsSpan();
        if (digits.Length > 0 && (digits[0] == '+' || digits[0] == '-')) digits = digits[1..];
        if (digits.Length == 0) return IntResult.NotInteger;
        foreach (var c in digits)
            if (c is < '0' or > '9') return IntResult.NotInteger;
        // More than 18 digits cannot be held in a long; every size the engine takes is far smaller.
        if (digits.TrimStart('0').Length > 18) return IntResult.TooLarge;
        value = long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return IntResult.Ok;
    }

    /// <summary>A finite decimal number: <c>1</c>, <c>-0.5</c>, <c>.5</c>, <c>1e-3</c>.</summary>
    public static bool TryFloat(string text, out double value)
    {
        value = 0;
        if (text.Length == 0) return false;
        foreach (var c in text)
            if (!(c is >= '0' and <= '9' or '.' or 'e' or 'E' or '+' or '-')) return false;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>The YAML 1.2 core-schema booleans.</summary>
    public static bool TryBool(string text, out bool value)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE": value = true; return true;
            case "false" or "False" or "FALSE": value = false; return true;
            default: value = false; return false;
        }
    }
}
