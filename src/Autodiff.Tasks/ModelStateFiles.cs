using System.Security.Cryptography;
using System.Text;

namespace Autodiff.Tasks;

/// <summary>
/// Names of the per-model bookkeeping files in the state folder. They are keyed by the model file's
/// path, because the model's C name is only known once the engine has read it.
/// </summary>
internal static class ModelStateFiles
{
    public static string Key(string modelFullPath)
    {
        var normalized = OperatingSystem.IsWindows() ? modelFullPath.ToLowerInvariant() : modelFullPath;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)))[..10].ToLowerInvariant();
        // The hash keeps keys unique; control characters are replaced because the name lands in
        // Microsoft.Common's clean file, one path per line, where a newline would split it.
        var name = new string(Path.GetFileNameWithoutExtension(modelFullPath).Select(c => char.IsControl(c) ? '_' : c).ToArray());
        return $"{name}-{hash}";
    }

    public static string Manifest(string stateDirectory, string modelFullPath) =>
        Path.Combine(stateDirectory, Key(modelFullPath) + ".manifest.json");

    public static string Settings(string stateDirectory, string modelFullPath) =>
        Path.Combine(stateDirectory, Key(modelFullPath) + ".settings");
}
