namespace Autodiff.Tasks;

/// <summary>Finds programs the way a shell would: explicit folders first, then <c>PATH</c>.</summary>
internal static class ExecutableSearch
{
    public static string? Find(string program, IEnumerable<string>? preferredDirectories = null)
    {
        var names = OperatingSystem.IsWindows() ? new[] { program + ".exe", program } : new[] { program };
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var directories = (preferredDirectories ?? Enumerable.Empty<string>())
            .Concat(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        foreach (var directory in directories)
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);
            }
        }
        return null;
    }
}
