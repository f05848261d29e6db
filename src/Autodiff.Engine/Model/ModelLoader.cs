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
    /// <summary>Reads and validates the model at <paramref name="path"/>; null when it has errors.</summary>
    public static ModelSpec? Load(string path, DiagnosticBag diags)
    {
        var start = new SourceLocation(path, 1, 1);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                diags.Error(ModelDiagnosticCodes.FileUnreadable, $"model file '{path}' does not exist", start);
                return null;
            }
            // Size is checked before reading so an enormous file is never loaded into memory.
            if (info.Length > YamlTreeReader.MaxDocumentChars * 4L)
            {
                diags.Error(ModelDiagnosticCodes.DocumentTooLarge,
                    $"model file is {info.Length} bytes; the limit is {YamlTreeReader.MaxDocumentChars} characters", start);
                return null;
            }
            text = File.ReadAllText(path, new UTF8Encoding(false, true));
        }
        catch (DecoderFallbackException)
        {
            diags.Error(ModelDiagnosticCodes.FileUnreadable, "model file is not valid UTF-8", start);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            diags.Error(ModelDiagnosticCodes.FileUnreadable, $"cannot read model file '{path}': {e.Message}", start);
            return null;
        }
        return Load(text, path, diags);
    }

    /// <summary>
    /// Validates model text. <paramref name="displayPath"/> names the file in locations and, unless
    /// <paramref name="baseDirectory"/> is given, its folder is where <c>weights:</c> paths are resolved.
    /// </summary>
    public static ModelSpec? Load(string text, string displayPath, DiagnosticBag diags, string? baseDirectory = null)
    {
        var errorsBefore = diags.Items.Count(d => d.IsError);
        try
        {
            var ctx = new ReadContext(displayPath, baseDirectory ?? BaseDirectoryOf(displayPath), diags) { ErrorsAtStart = errorsBefore };
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
                $"internal error while loading the model ({e.GetType().Name}: {e.Message}); please report it",
                new SourceLocation(displayPath, 1, 1));
            return null;
        }
    }

    private static string BaseDirectoryOf(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.GetDirectoryName(full) ?? full;
    }
}
