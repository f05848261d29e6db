namespace Autodiff.Tool;

/// <summary>
/// Where the tool's boards, kernels and CMake module are. The project copies them beside the
/// assembly, so the same place serves the repository's build output and an installed package.
/// </summary>
public static class ToolPaths
{
    public static string BaseDirectory => AppContext.BaseDirectory;

    /// <summary>The board folders, or null when the install is incomplete.</summary>
    public static string? BoardsDirectory => Existing(Path.Combine(BaseDirectory, "boards"), "host/board.yaml");

    /// <summary>The C kernels folder (portable/, armv7em/, cmsis/), or null when the install is incomplete.</summary>
    public static string? KernelsDirectory => Existing(Path.Combine(BaseDirectory, "kernels"), "portable/autodiff_kernels.h");

    /// <summary>cmake/Autodiff.cmake beside the tool.</summary>
    public static string CMakeModule => Path.Combine(BaseDirectory, "cmake", "Autodiff.cmake");

    private static string? Existing(string directory, string marker) =>
        File.Exists(Path.Combine(directory, marker)) ? Path.GetFullPath(directory) : null;
}
