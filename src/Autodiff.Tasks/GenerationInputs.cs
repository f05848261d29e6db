using System.Security.Cryptography;
using System.Text;
using Autodiff.Engine;
using Autodiff.Engine.Model;

namespace Autodiff.Tasks;

/// <summary>
/// A content hash of everything one model's generated C was made from: the model's bytes, the files
/// it read (weights), its settings file (board, board file hash, kernels, budget, CMSIS roots), the
/// CMSIS family lists and the engine build. Recorded in the manifest by generation and compared on
/// every build, because timestamps alone miss a model saved while the engine was reading it (the
/// manifest is written afterwards, with a newer time) or a file restored with an old time.
/// </summary>
internal static class GenerationInputs
{
    /// <summary>
    /// SHA-256 of a file's bytes, or a marker when it cannot or may not be read (which never matches a
    /// real hash). Only regular files up to the largest input the engine reads are opened, so a model
    /// that is a FIFO or a link to a device cannot stall the build here, before the engine reports it.
    /// </summary>
    public static string HashFile(string path)
    {
        try
        {
            using var stream = BoundedFile.TryOpen(path, NpyReader.MaxFileBytes, out var kind, out _);
            return stream is null ? $"unreadable:{kind}" : Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
    }

    /// <summary>
    /// Combines the model's hash (taken by the caller before the engine reads the model, so a later
    /// save shows as a difference) with the other inputs.
    /// </summary>
    public static string Compute(string modelHash, IEnumerable<string> dependencies, string settingsFile, string? kernelsDirectory)
    {
        var text = new StringBuilder()
            .AppendLine($"model={modelHash}")
            .AppendLine($"settings={HashFile(settingsFile)}")
            .AppendLine($"engine={typeof(ModelCompiler).Assembly.ManifestModule.ModuleVersionId}")
            .AppendLine($"tasks={typeof(GenerationInputs).Assembly.ManifestModule.ModuleVersionId}");
        foreach (var dependency in dependencies.Select(d => Path.GetFullPath(d)).Distinct().Order(StringComparer.Ordinal))
            text.AppendLine($"input={dependency}={HashFile(dependency)}");
        var families = string.IsNullOrWhiteSpace(kernelsDirectory) ? "" : Path.Combine(Path.GetFullPath(kernelsDirectory), "cmsis");
        if (Directory.Exists(families))
            foreach (var list in Directory.EnumerateFiles(families, "*.cmsis").Order(StringComparer.Ordinal))
                text.AppendLine($"family={Path.GetFileName(list)}={HashFile(list)}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }
}
