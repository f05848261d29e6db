using System.Diagnostics;
using Xunit;

namespace Autodiff.Engine.Tests.Model;

/// <summary>Files that are not regular files, for the hostile-input tests.</summary>
internal static class SpecialFiles
{
    /// <summary>A FIFO at <paramref name="path"/>: opening it for reading blocks until a writer comes.</summary>
    public static string MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }
}
