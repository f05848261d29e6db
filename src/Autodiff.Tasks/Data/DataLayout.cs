using System.Globalization;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks.Data;

/// <summary>The C element type of an embedded array.</summary>
internal enum ElementType { Float32, Int8, UInt8 }

/// <summary>
/// How one <c>AutodiffData</c> item becomes a C array: its symbol, element type, optional 1-bit packing
/// and the range of samples (entries of the first axis) it takes from the file. Parsed from the item's
/// metadata, so every value is checked once, here, with the metadata's name in the message.
/// </summary>
internal sealed record DataLayout(string Symbol, ElementType? Type, bool PackBits, double Threshold, long First, long? Count)
{
    /// <summary>The settings that decide the generated files, one per line, for the up-to-date check.</summary>
    public string Settings(string file) => string.Join("\n",
        "file=" + file, "symbol=" + Symbol, "type=" + (Type?.ToString() ?? "auto"), "pack=" + (PackBits ? "bits" : "none"),
        "threshold=" + Threshold.ToString("R", CultureInfo.InvariantCulture), "first=" + First,
        "count=" + (Count?.ToString(CultureInfo.InvariantCulture) ?? "")) + "\n";

    /// <summary>
    /// Reads an AutodiffData item's metadata, as the prepare and generate tasks both must; null after
    /// logging the invalid value (AD at the project file, which is where the item is written).
    /// </summary>
    public static DataLayout? FromItem(ITaskItem item, TaskLoggingHelper log, string? projectFile)
    {
        var layout = From(item.ItemSpec, item.GetMetadata("Symbol"), item.GetMetadata("ElementType"), item.GetMetadata("Pack"),
            item.GetMetadata("Threshold"), item.GetMetadata("First"), item.GetMetadata("Count"), out var problem);
        if (layout is null)
            log.LogError(null, SdkDiagnosticCodes.DataInvalidMetadata, null, projectFile, 0, 0, 0, 0,
                "AutodiffData '{0}': {1}", item.ItemSpec, problem);
        return layout;
    }

    /// <summary>Reads the metadata; null with the problem in <paramref name="problem"/> when a value is invalid.</summary>
    public static DataLayout? From(string file, string symbol, string type, string pack, string threshold, string first, string count, out string problem)
    {
        problem = "";
        symbol = symbol.Trim();
        if (symbol.Length == 0) symbol = CSymbols.FromFileName(file);
        if (CSymbols.Problem(symbol) is { } symbolProblem)
        {
            problem = $"Symbol '{Engine.Model.ModelNames.Printable(symbol)}' {symbolProblem}";
            return null;
        }

        ElementType? elementType;
        switch (type.Trim().ToLowerInvariant())
        {
            case "" or "auto": elementType = null; break;
            case "float32" or "float": elementType = ElementType.Float32; break;
            case "int8": elementType = ElementType.Int8; break;
            case "uint8": elementType = ElementType.UInt8; break;
            default:
                problem = $"ElementType '{Engine.Model.ModelNames.Printable(type)}' is not one of auto, float32, int8, uint8";
                return null;
        }

        bool packBits;
        switch (pack.Trim().ToLowerInvariant())
        {
            case "" or "none": packBits = false; break;
            case "bits" or "1bit": packBits = true; break;
            default:
                problem = $"Pack '{Engine.Model.ModelNames.Printable(pack)}' is not one of none, bits";
                return null;
        }
        if (packBits && elementType is not null)
        {
            problem = "ElementType does not apply with Pack=bits (the array holds bytes of 8 packed elements); leave it unset";
            return null;
        }

        var thresholdValue = 1.0;
        if (threshold.Trim().Length > 0)
        {
            if (!packBits)
            {
                problem = "Threshold applies only with Pack=bits";
                return null;
            }
            if (!double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out thresholdValue) || !double.IsFinite(thresholdValue))
            {
                problem = $"Threshold '{Engine.Model.ModelNames.Printable(threshold)}' is not a number";
                return null;
            }
        }

        if (!TryCount(first, "First", 0, out var firstValue, out problem)) return null;
        long? countValue = null;
        if (count.Trim().Length > 0)
        {
            if (!TryCount(count, "Count", 0, out var c, out problem)) return null;
            countValue = c;
        }
        return new DataLayout(symbol, elementType, packBits, thresholdValue, firstValue ?? 0, countValue);
    }

    private static bool TryCount(string text, string name, long fallback, out long? value, out string problem)
    {
        problem = "";
        value = fallback;
        if (text.Trim().Length == 0) return true;
        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= int.MaxValue)
        {
            value = parsed;
            return true;
        }
        problem = $"{name} '{Engine.Model.ModelNames.Printable(text)}' is not a whole number of samples";
        return false;
    }
}
