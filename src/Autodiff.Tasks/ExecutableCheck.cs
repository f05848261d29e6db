namespace Autodiff.Tasks;

/// <summary>
/// Says why a program cannot be started, before trying: starting a file that is not executable
/// throws deep inside process creation, which MSBuild reports as MSB6003 or a .NET stack trace.
/// </summary>
internal static class ExecutableCheck
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Null when <paramref name="path"/> is a file that can be executed; otherwise what is wrong with it.</summary>
    public static string? Problem(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) return "no program was given";
        if (Directory.Exists(path)) return "it is a folder, not a program";
        if (!File.Exists(path)) return "the file does not exist";
        if (OperatingSystem.IsWindows()) return null;
        if (new FileInfo(path).Length == 0) return "the file is empty";
        // Any execute bit: whether this user may run it is left to the OS, which reports it precisely.
        return (File.GetUnixFileMode(path) & AnyExecute) == 0 ? "the file is not executable (chmod +x it)" : null;
    }
}
