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
            if (!File.Exists(path)) return null;
            using var reader = new StreamReader(path);
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
                parser.SkipThisAndNestedEvents();
            }
            return null;
        }
        catch (Exception e) when (e is YamlException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }
}
