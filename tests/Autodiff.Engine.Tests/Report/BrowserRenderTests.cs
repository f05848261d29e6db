using System.Diagnostics;
using Autodiff.Engine.Report;
using Autodiff.Engine.Tests.CodeGen;
using Autodiff.Engine.Tests.Planning;
using Xunit;
using Xunit.Abstractions;

namespace Autodiff.Engine.Tests.Report;

/// <summary>
/// Opens reports in a real headless browser (Debian's <c>chromium</c>) and checks the screenshot shows
/// a picture: many non-white pixels, and the memory map's category colours among them.
/// </summary>
public class BrowserRenderTests(ITestOutputHelper output)
{
    private static string? Chromium() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);

    [SkippableTheory]
    [InlineData("mnist_mlp")]
    [InlineData("conv_momentum")]
    public void Report_renders_in_headless_chromium(string model)
    {
        var chromium = Chromium();
        Skip.If(chromium is null, "chromium is not on PATH (apt-get install chromium; .ci/run installs it)");

        var result = ModelCompiler.Compile(new CompileRequest(GeneratedCodeTests.ModelPath(model), MemoryPlanTests.Board("stm32f4"), KernelChoice.Portable));
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var (dir, png) = Screenshot(chromium!, model + ".report.html", result.ReportFiles.Single(f => f.RelativePath.EndsWith(".html")).Content);

        var image = PngPixels.Read(png);
        Assert.Equal(1400, image.Width);
        long coloured = 0, parameterBlue = 0, activationGreen = 0;
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
            {
                var (r, g, b) = image[x, y];
                if (r < 240 || g < 240 || b < 240) coloured++;
                if (Near(r, g, b, 0x4e, 0x79, 0xa7)) parameterBlue++;
                if (Near(r, g, b, 0x59, 0xa1, 0x4f)) activationGreen++;
            }
        var total = (long)image.Width * image.Height;
        output.WriteLine($"{coloured} of {total} pixels not white; parameters blue {parameterBlue}, activations green {activationGreen}");
        Assert.True(coloured > total / 50, $"only {coloured} of {total} pixels are not white: the page looks blank");
        Assert.True(parameterBlue > 500, $"only {parameterBlue} pixels in the parameters colour: no memory map drawn");
        // Kept when asked for, to look at the picture.
        if (Environment.GetEnvironmentVariable("AUTODIFF_KEEP_SCREENSHOTS") is not { Length: > 0 }) Directory.Delete(dir, recursive: true);
    }

    [SkippableFact]
    public void Firmware_report_renders_in_headless_chromium()
    {
        var chromium = Chromium();
        Skip.If(chromium is null, "chromium is not on PATH (apt-get install chromium; .ci/run installs it)");

        var (dir, png) = Screenshot(chromium!, FirmwareReportWriter.FileName, FirmwareReportWriter.Html(FirmwareMemoryExample.TwoModels()));

        var image = PngPixels.Read(png);
        long coloured = 0, bssGrey = 0, stackOrange = 0;
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
            {
                var (r, g, b) = image[x, y];
                if (r < 240 || g < 240 || b < 240) coloured++;
                if (Near(r, g, b, 0xd9, 0xd9, 0xd9)) bssGrey++;
                if (Near(r, g, b, 0xfd, 0xd0, 0xa2)) stackOrange++;
            }
        var total = (long)image.Width * image.Height;
        output.WriteLine($"{coloured} of {total} pixels not white; .bss grey {bssGrey}, stack {stackOrange}");
        Assert.True(coloured > total / 50, $"only {coloured} of {total} pixels are not white: the page looks blank");
        Assert.True(stackOrange > 500, $"only {stackOrange} pixels in the stack colour: no RAM map drawn");
        if (Environment.GetEnvironmentVariable("AUTODIFF_KEEP_SCREENSHOTS") is not { Length: > 0 }) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Writes the page to a new temporary folder and screenshots it at 1400×2000; returns the folder and the PNG.</summary>
    private (string Dir, string Png) Screenshot(string chromium, string fileName, string html)
    {
        var dir = Path.Combine(Path.GetTempPath(), "autodiff-report-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var page = Path.Combine(dir, fileName);
        File.WriteAllText(page, html);
        var png = Path.Combine(dir, Path.GetFileNameWithoutExtension(fileName) + ".png");

        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--user-data-dir={Path.Combine(dir, "profile")}",
                $"--screenshot={png}", "--window-size=1400,2000", new Uri(page).AbsoluteUri,
            },
        };
        using (var process = Process.Start(start)!)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), "chromium did not finish within 2 minutes");
            Assert.True(File.Exists(png), $"chromium wrote no screenshot (exit {process.ExitCode}): {stderr.Result}");
        }
        output.WriteLine($"screenshot: {png}");
        return (dir, png);
    }

    // Buffers are drawn slightly transparent over a light plot, so colours are matched loosely.
    private static bool Near(byte r, byte g, byte b, int R, int G, int B) =>
        Math.Abs(r - R) < 40 && Math.Abs(g - G) < 40 && Math.Abs(b - B) < 40;
}
