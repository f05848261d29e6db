using System.Text;

namespace Autodiff.Tasks.Data;

/// <summary>C identifiers for embedded arrays: the default one made from a file name, and the checks.</summary>
internal static class CSymbols
{
    /// <summary>C99's keywords, which cannot name an array; identifiers gcc reserves start with '_' + capital or '__'.</summary>
    private static readonly HashSet<string> Keywords =
    [
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
        "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
        "_Bool", "_Complex", "_Imaginary",
    ];

    /// <summary>Longest symbol accepted; C99 guarantees 31 significant characters for external names, gcc far more.</summary>
    public const int MaxLength = 63;

    /// <summary><c>data/train-images.npy</c> gives <c>train_images</c>: other characters become '_', a leading digit gets one.</summary>
    public static string FromFileName(string file)
    {
        var stem = Path.GetFileNameWithoutExtension(file);
        var text = new StringBuilder(stem.Length + 1);
        foreach (var c in stem) text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        if (text.Length == 0 || char.IsAsciiDigit(text[0])) text.Insert(0, '_');
        return text.ToString();
    }

    /// <summary>Why <paramref name="symbol"/> cannot name a C array and its header, or null when it can.</summary>
    public static string? Problem(string symbol)
    {
        if (symbol.Length == 0) return "is empty";
        if (symbol.Length > MaxLength) return $"is longer than {MaxLength} characters";
        if (!(char.IsAsciiLetter(symbol[0]) || symbol[0] == '_') || !symbol.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return "is not a C identifier (letters, digits and '_', not starting with a digit)";
        if (Keywords.Contains(symbol)) return "is a C keyword";
        if (symbol.StartsWith("__", StringComparison.Ordinal) || (symbol[0] == '_' && char.IsAsciiLetterUpper(symbol[1 % symbol.Length]) && symbol.Length > 1))
            return "is reserved for the C implementation (starts with '__' or '_' and a capital)";
        return null;
    }
}
