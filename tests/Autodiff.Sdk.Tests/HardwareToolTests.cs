using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// Getting firmware onto hardware: the .hex image, <c>-t:Flash</c> with the board's flasher (a stub on
/// PATH stands in for pyocd) or the AD4406 that says how to install it, and <c>-t:Debug</c> driven by
/// gdb-multiarch (Debian: gdb-multiarch) in batch mode. Needs arm-none-eabi-gcc and qemu-system-arm.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class HardwareToolTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Flash_without_the_flasher_says_what_to_install_and_with_it_on_path_hands_it_the_elf_and_the_chip()
    {
        var project = sdk.CreateProject("Flashing")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));
        var elf = Path.Combine(project.OutputDirectory("stm32f4"), "Flashing.elf");
        // A PATH with the build's tools but no pyocd.
        var path = string.Join(Path.PathSeparator, (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(d => !File.Exists(Path.Combine(d, "pyocd"))));

        var missing = project.BuildWith(new Dictionary<string, string?> { ["PATH"] = path }, "-p:Board=stm32f4", "-t:Flash");

        BuildAssert.Failed(missing);
        BuildAssert.OutputMatches(missing, @"error AD4406: pyocd \(the flasher for board 'stm32f4'\) was not found on PATH\. Install it \(python3 -m pip install pyocd\)");
        foreach (var extension in new[] { ".elf", ".bin", ".hex", ".map" })
            Assert.True(File.Exists(Path.ChangeExtension(elf, extension)), $"no {extension}");
        Assert.StartsWith(":", File.ReadAllText(Path.ChangeExtension(elf, ".hex")));

        var stubs = project.PathOf("stub-bin");
        var received = project.PathOf("pyocd-arguments.txt");
        Directory.CreateDirectory(stubs);
        var stub = Path.Combine(stubs, "pyocd");
        File.WriteAllText(stub, $"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{received}'\necho stub pyocd wrote the image\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var flashed = project.BuildWith(new Dictionary<string, string?> { ["PATH"] = stubs + Path.PathSeparator + path },
            "-p:Board=stm32f4", "-t:Flash", "-p:AutodiffFlashArguments=--uid 0670FF");

        BuildAssert.Succeeded(flashed);
        BuildAssert.OutputContains(flashed, "stub pyocd wrote the image");
        Assert.Equal(new[] { "flash", "--target", "stm32f405rg", elf, "--uid", "0670FF" }, File.ReadAllLines(received));
    }

    [SkippableFact]
    public void Debug_starts_qemu_for_gdb_which_breaks_in_train_step_reads_the_loss_and_continues_to_the_end()
    {
        Skip.If(!OnPath("gdb-multiarch"), "gdb-multiarch not found (Debian/Ubuntu: apt-get install gdb-multiarch)");
        var project = sdk.CreateProject("Debugging")
            .WithProjectFile("models/tiny.yaml")
            .WithFile("models/tiny.yaml", TestModels.Classifier("tiny"))
            .WithFile("main.c", TestModels.MainTraining(0, "tiny"));
        BuildAssert.Succeeded(project.Build("-p:Board=stm32f4"));
        var elf = Path.Combine(project.OutputDirectory("stm32f4"), "Debugging.elf");
        var port = FreePort();

        var debug = sdk.StartDotnet(project.Directory, "build", project.ProjectFile, "-v:m", "-p:Board=stm32f4", "-t:Debug", $"-p:AutodiffGdbPort={port}");
        if (!debug.WaitForOutput($"gdb-multiarch {elf} -ex 'target remote localhost:{port}'", TimeSpan.FromMinutes(3)))
            Assert.Fail("no gdb command line:\n" + debug.WaitForExit(TimeSpan.FromSeconds(1)).Output);
        WaitUntilListening(port);

        var gdb = ProcessRunner.Run("gdb-multiarch",
            ["-batch", "-nx", elf, "-ex", $"target remote localhost:{port}", "-ex", "break tiny_train_step", "-ex", "continue",
             "-ex", "finish", "-ex", "delete", "-ex", "continue"],
            project.Directory, timeout: TimeSpan.FromMinutes(2));
        var build = debug.WaitForExit(TimeSpan.FromMinutes(1));

        Assert.True(Regex.IsMatch(gdb.Output, @"Breakpoint 1, tiny_train_step"), $"gdb:\n{gdb.Output}\nbuild:\n{build.Output}");
        var loss = Regex.Match(gdb.Output, @"Value returned is \$\d+ = (?<loss>[\d.]+)");
        Assert.True(loss.Success, gdb.Output);
        Assert.InRange(double.Parse(loss.Groups["loss"].Value, System.Globalization.CultureInfo.InvariantCulture), 0.01, 10);
        BuildAssert.Succeeded(build);
        BuildAssert.OutputContains(build, "tiny step 4 loss");
        BuildAssert.OutputMatches(build, @"Debugging\.elf in QEMU \(netduinoplus2\) exited with code 0");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// The build prints the command line just before QEMU opens its port. Watched in /proc/net rather
    /// than by connecting: QEMU's gdb server takes one client, and a probe's disconnect resumes the guest.
    /// </summary>
    private static void WaitUntilListening(int port)
    {
        var hexPort = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        bool Listening() => new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists).SelectMany(File.ReadLines)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(f => f.Length > 3 && f[1].EndsWith(hexPort, StringComparison.Ordinal) && f[3] == "0A");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Listening() && DateTime.UtcNow < deadline) Thread.Sleep(100);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));
}
