using System.Text;
using Autodiff.Engine.Diagnostics;

namespace Autodiff.Engine.Model;

/// <summary>
/// Loads a schema-1 model file into a validated <see cref="ModelSpec"/>. Every
/// problem becomes a diagnostic with the file, line and column of the offending YAML node; no
/// input, however malformed or hostile, makes <c>Load</c> throw (so no build ever fails with MSB4018).
/// </summary>
public static class ModelLoader
{
    /// <summary>The largest model file read: four bytes for each character the YAML reader accepts.</summary>
    public const long MaxFileBytes = YamlTreeReader.MaxDocumentChars * 4L;

    /// <summary>How deep YAML collections may nest in a model.</summary>
    public const int MaxNestingDepth = YamlTreeReader.MaxDepth;

    /// <summary>Reads and validates the model at <paramref name="path"/>; null when it has errors.</summary>
    public static ModelSpec? Load(string path, DiagnosticBag diags) => Load(path, diags, LoadOptions.Default);

    /// <summary>Reads and validates the model at <paramref name="path"/> as <paramref name="options"/> say; null when it has errors.</summary>
    public static ModelSpec? Load(string path, DiagnosticBag diags, LoadOptions options)
    {
        var start = new SourceLocation(path, 1, 1);
        // Size is checked before reading so an enormous file is never loaded into memory.
        var bytes = BoundedFile.TryRead(path, MaxFileBytes, out var kind, out var problem);
        if (bytes is null)
        {
            var code = kind == FileProblem.TooLarge ? ModelDiagnosticCodes.DocumentTooLarge : ModelDiagnosticCodes.FileUnreadable;
            diags.Error(code, $"model file '{MessageText.PrintablePath(path)}' {problem}", start);
            return null;
        }
        string text;
        // A byte order mark is not part of the text: editors hide it, and YAML would read a file
        // holding only the mark as a one-character document.
        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes, bom, bytes.Length - bom);
        }
        catch (DecoderFallbackException e)
        {
            diags.Error(ModelDiagnosticCodes.FileUnreadable,
                $"model file is not valid UTF-8: byte 0x{bytes[Math.Clamp(e.Index, 0, bytes.Length - 1)]:X2} cannot start or continue a character",
                PositionOfByte(path, bytes, bom, bom + e.Index));
            return null;
        }
        return Load(text, path, diags, options: options);
    }

    /// <summary>
    /// Validates model text. <paramref name="displayPath"/> names the file in locations and, unless
    /// <paramref name="baseDirectory"/> is given, its folder is where <c>weights:</c> paths are resolved.
    /// </summary>
    public static ModelSpec? Load(string text, string displayPath, DiagnosticBag diags, string? baseDirectory = null, LoadOptions? options = null)
    {
        var errorsBefore = diags.Items.Count(d => d.IsError);
        try
        {
            var ctx = new ReadContext(displayPath, baseDirectory ?? BaseDirectoryOf(displayPath), diags)
            {
                ErrorsAtStart = errorsBefore,
                Options = options ?? LoadOptions.Default,
            };
            var root = YamlTreeReader.Read(text, displayPath, diags);
            var spec = root is null ? null : ModelReader.Read(root, ctx);
            // Reading goes on after recoverable problems (e.g. a duplicate key) to report more of
            // them; any error at all means no spec.
            return diags.Items.Count(d => d.IsError) > errorsBefore ? null : spec;
        }
        catch (Exception e)
        {
            // Last resort: a bug in the loader must still surface as a positioned diagnostic.
            diags.Error(ModelDiagnosticCodes.InternalError,
                $"internal error while loading the model ({e.GetType().Name}: {MessageText.Printable(e.Message, 200)}); please report it",
                new SourceLocation(displayPath, 1, 1));
            return null;
        }
    }

    /// <summary>
    /// The line and column (in characters) of byte <paramref name="index"/>, for a file whose bytes
    /// up to it are valid UTF-8; the text starts at <paramref name="textStart"/>, after any byte order mark.
    /// </summary>
    private static SourceLocation PositionOfByte(string path, byte[] bytes, int textStart, int index)
    {
        index = Math.Clamp(index, textStart, bytes.Length);
        var lineStart = index == textStart ? textStart : Math.Max(textStart, Array.LastIndexOf(bytes, (byte)'\n', index - 1) + 1);
        var line = 1 + bytes.AsSpan(0, lineStart).Count((byte)'\n');
        var column = 1 + Encoding.UTF8.GetCharCount(bytes, lineStart, index - lineStart);
        return new SourceLocation(path, line, column);
    }

    private static string BaseDirectoryOf(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.GetDirectoryName(full) ?? full;
    }
}
