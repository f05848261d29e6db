using System.Diagnostics;
using Autodiff.Tasks;
using Xunit;

namespace Autodiff.Tasks.Tests;

/// <summary>
/// The SDK's first pass over each model (its top-level name, read before any model is generated) has
/// the engine's guards: it never waits on a FIFO, never reads a device without end, and gives up on
/// deep nesting at once instead of walking it (the engine then reports the problem with its position).
/// </summary>
public sealed class ModelNameReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "autodiff-name-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (string Name, int Line, int Column)? ReadWithin(string path, TimeSpan limit)
    {
        var read = Task.Run(() => ModelNameReader.TryRead(path));
        Assert.True(read.Wait(limit), $"reading the name of {path} took longer than {limit}");
        return read.Result;
    }

    [Fact]
    public void The_name_is_read_with_its_position()
    {
        var path = Path.Combine(_dir, "m.yaml");
        File.WriteAllText(path, "autodiff: 1\ninputs: { x: [4] }\nname: gesture\n");
        Assert.Equal(("gesture", 3, 7), ReadWithin(path, TimeSpan.FromSeconds(10)));
    }

    [SkippableFact]
    public void A_fifo_or_dev_zero_gives_no_name_at_once()
    {
        Skip.If(OperatingSystem.IsWindows() || !File.Exists("/dev/zero"), "FIFOs and /dev/zero are Unix files");
        var fifo = Path.Combine(_dir, "fifo.yaml");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        var zero = Path.Combine(_dir, "zero.yaml");
        File.CreateSymbolicLink(zero, "/dev/zero");
        Assert.Null(ReadWithin(fifo, TimeSpan.FromSeconds(10)));
        Assert.Null(ReadWithin(zero, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Deep_nesting_before_the_name_gives_up_at_once()
    {
        var path = Path.Combine(_dir, "deep.yaml");
        const int levels = 160_000;
        File.WriteAllText(path, "autodiff: 1\nx: " + new string('[', levels) + new string(']', levels) + "\nname: deep\n");
        var clock = Stopwatch.StartNew();
        Assert.Null(ReadWithin(path, TimeSpan.FromSeconds(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
