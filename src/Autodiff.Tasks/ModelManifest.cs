using System.Text.Json;

namespace Autodiff.Tasks;

/// <summary>
/// What one generation run produced for one model, stored beside the generated files. Later builds
/// read it when generation is skipped as up to date, so the C sources, kernel list (with the include
/// folders and definitions CMSIS kernels need), report and the model's extra inputs (weight files)
/// are known without running the engine again. Its timestamp is
/// the output that the generation target's Inputs/Outputs check compares against.
/// </summary>
internal sealed record ModelManifest(
    string ModelFile,
    string ModelName,
    string OutputDirectory,
    IReadOnlyList<string> GeneratedFiles,
    IReadOnlyList<string> KernelSources,
    IReadOnlyList<string> InputFiles,
    IReadOnlyList<string> ReportLines,
    IReadOnlyList<string>? CompileIncludeDirectories = null,
    IReadOnlyList<string>? CompileDefines = null)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The engine's notes (info diagnostics, e.g. AD5003) on this model, printed on every build.</summary>
    public IReadOnlyList<ManifestNote> Notes { get; init; } = [];

    /// <summary>
    /// <see cref="GenerationInputs.Compute"/> of the inputs this generation read; a build whose inputs
    /// hash differently regenerates whatever the timestamps say.
    /// </summary>
    public string InputsHash { get; init; } = "";

    /// <summary>The arena's planned buffers, for the firmware report drawn after linking; null in a manifest from before it was kept.</summary>
    public Autodiff.Engine.Planning.ArenaLayout? Arena { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads a manifest; null when it is missing or unreadable (the model is then regenerated).</summary>
    public static ModelManifest? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), Options) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>An info diagnostic of the engine, kept in the manifest so up-to-date builds can repeat it.</summary>
internal sealed record ManifestNote(string Code, string Message, string? File, int Line, int Column)
{
    public static ManifestNote From(Autodiff.Engine.Diagnostics.Diagnostic diagnostic, string modelPath) =>
        new(diagnostic.Code, diagnostic.Message, diagnostic.Location?.File ?? modelPath, diagnostic.Location?.Line ?? 0, diagnostic.Location?.Column ?? 0);
}
