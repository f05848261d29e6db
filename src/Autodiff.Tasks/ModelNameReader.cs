using System.Text;
using Autodiff.Engine.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Autodiff.Tasks;

/// <summary>
/// Reads only the top-level <c>name:</c> of a model file, from the YAML event stream without building
/// the model, so every build can compare the names of all models before generating any of them.
/// </summary>
internal static class ModelNameReader
{
    /// <summary>The name with its line and column; null when the file is missing, not YAML, or has no plain-text name (the engine then says why).</summary>
    public static (string Name, int Line, int Column)? TryRead(string path)
    {
        try
        {
            // The engine's guards, before the engine sees the file: only a regular file of bounded size
            // (a FIFO or /dev/zero must not hang the build), valid UTF-8.
            var bytes = BoundedFile.TryRead(path, ModelLoader.MaxFileBytes, out _, out _);
            if (bytes is null) return null;
            using var reader = new StringReader(new UTF8Encoding(false, true).GetString(bytes));
            var parser = new Parser(reader);
            parser.Consume<StreamStart>();
            if (!parser.Accept<DocumentStart>(out _)) return null;
            parser.Consume<DocumentStart>();
            if (!parser.TryConsume<MappingStart>(out _)) return null;
            while (!parser.Accept<MappingEnd>(out _))
            {
                if (!parser.TryConsume<Scalar>(out var key)) return null;
                if (key.Value == "name")
                    return parser.Accept<Scalar>(out var value) ? (value.Value, (int)value.Start.Line, (int)value.Start.Column) : null;
                if (!SkipValue(parser)) return null;
            }
            return null;
        }
        catch (Exception e) when (e is YamlException or IOException or UnauthorizedAccessException or InvalidOperationException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// Skips one value, giving up (false) past the engine's nesting limit: the engine rejects such a
    /// model anyway, and walking thousands of nested flow collections costs time quadratic in depth.
    /// </summary>
    private static bool SkipValue(IParser parser)
    {
        var depth = 0;
        do
        {
            var e = parser.Consume<ParsingEvent>();
            depth += e.NestingIncrease;
            if (depth > ModelLoader.MaxNestingDepth) return false;
        } while (depth > 0);
        return true;
    }
}
