using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// The firmware report: with two or more models on an Arm board, one page after linking shows the
/// board's whole RAM with each model's arena where the linker put it. Needs arm-none-eabi-gcc and
/// arm-none-eabi-nm (Debian: gcc-arm-none-eabi, binutils-arm-none-eabi).
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class FirmwareReportBuildTests(SdkPackageFixture sdk)
{
    // Portable kernels for both models: this test is about the report, not about which kernels link together.
    private static readonly string[] Stm32 = ["-p:Board=stm32f4", "-p:AutodiffKernels=portable"];

    [SkippableFact]
    public void Two_models_on_stm32f4_get_a_firmware_report_with_each_arena_where_nm_puts_it()
    {
        Skip.If(!OnPath("arm-none-eabi-gcc") || !OnPath("arm-none-eabi-nm"), "arm-none-eabi-gcc or -nm not found (Debian/Ubuntu: gcc-arm-none-eabi)");
        var project = TwoModels("FirmwareReport");

        var first = project.Build(Stm32);
        BuildAssert.Succeeded(first);
        var report = Path.Combine(project.GeneratedDirectory(), "firmware.report.html");
        Assert.True(File.Exists(report), "no firmware report beside the models' folders");
        BuildAssert.OutputContains(first, "report: " + report);
        var bytes = File.ReadAllBytes(report);
        var written = File.GetLastWriteTimeUtc(report);

        var doc = Parse(File.ReadAllText(report));
        var map = ByClass(doc, "svg", "firmware-map").Single();
        Assert.Equal(0x20000000, Hex(map, "data-ram-address"));
        Assert.Equal(128 * 1024, Long(map, "data-ram-bytes"));
        Assert.Single(ByClass(doc, "line", "budget"));
        var symbols = ArenaSymbols(Path.Combine(project.OutputDirectory("stm32f4"), "FirmwareReport.elf"));
        var bss = ByClass(doc, "rect", "ram-block").Single(r => (string?)r.Attribute("data-name") == ".bss");
        foreach (var model in new[] { "alpha", "beta" })
        {
            var (address, size) = symbols[model + "_arena"];
            var arena = ByClass(doc, "g", "arena").Single(g => (string?)g.Attribute("data-model") == model);
            Assert.Equal(address, Hex(arena, "data-address"));
            Assert.Equal(size, Long(arena, "data-bytes"));
            // Drawn there, to the map's scale: RAM start at the bottom of the plot, its end at the top.
            var rect = arena.Descendants().Single(e => (string?)e.Attribute("class") == "arena-block");
            var top = Double(map, "data-plot-top");
            var height = Double(map, "data-plot-height");
            double Y(long a) => top + height - (a - 0x20000000) / (128.0 * 1024) * height;
            Assert.InRange(Double(rect, "y"), Y(address + size) - 0.06, Y(address + size) + 0.06);
            Assert.InRange(Double(rect, "y") + Double(rect, "height"), Y(address) - 0.11, Y(address) + 0.11);
            Assert.InRange(address, Hex(bss, "data-address"), Hex(bss, "data-address") + Long(bss, "data-bytes") - size);
            Assert.Contains(arena.Descendants(), e => ((string?)e.Attribute("class") ?? "").StartsWith("buffer cat-", StringComparison.Ordinal));
            Assert.Contains(model + "_arena", arena.Elements().First(e => e.Name.LocalName == "title").Value);
        }

        // Nothing changed: not redrawn, still named.
        var second = project.Build(Stm32);
        BuildAssert.Succeeded(second);
        BuildAssert.OutputContains(second, "report: " + report);
        Assert.Equal(written, File.GetLastWriteTimeUtc(report));
        Assert.Equal(bytes, File.ReadAllBytes(report));

        // Clean deletes it; the same build again draws the same bytes.
        BuildAssert.Succeeded(project.Clean(Stm32));
        Assert.False(File.Exists(report), "Clean left the firmware report");
        BuildAssert.Succeeded(project.Build(Stm32));
        Assert.Equal(bytes, File.ReadAllBytes(report));

        // Down to one model: its own report is the picture, and the firmware report is gone.
        project.WithProjectFile("models/alpha.yaml").WithFile("main.c", TestModels.MainTraining(0, "alpha"));
        var single = project.Build(Stm32);
        BuildAssert.Succeeded(single);
        Assert.False(File.Exists(report), "a one-model firmware kept the firmware report");
    }

    [Fact]
    public void Host_build_has_no_firmware_report_since_the_picture_covers_Arm_images_only()
    {
        var project = TwoModels("FirmwareReportHost");
        var result = project.Build();
        BuildAssert.Succeeded(result);
        Assert.False(File.Exists(Path.Combine(project.GeneratedDirectory(), "firmware.report.html")), "a host build wrote a firmware report");
        Assert.True(File.Exists(Path.Combine(project.GeneratedDirectory(), "alpha", "alpha.report.html")), "the model reports are still written");
    }

    private FirmwareProject TwoModels(string name) =>
        sdk.CreateProject(name)
            .WithProjectFile("models/alpha.yaml", "models/beta.yaml")
            .WithFile("models/alpha.yaml", TestModels.Classifier("alpha"))
            .WithFile("models/beta.yaml", TestModels.ResidualClassifier("beta"))
            .WithFile("main.c", TestModels.MainTraining(0, "alpha", "beta"));

    /// <summary>Address and size of each <c>*_arena</c> symbol, as <c>nm -S</c> lists them.</summary>
    private static Dictionary<string, (long Address, long Size)> ArenaSymbols(string image)
    {
        var nm = ProcessRunner.Run("arm-none-eabi-nm", ["-S", "--defined-only", image], Path.GetDirectoryName(image)!);
        Assert.True(nm.Succeeded, nm.Output);
        var symbols = new Dictionary<string, (long, long)>();
        foreach (var line in nm.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length == 4 && parts[3].EndsWith("_arena", StringComparison.Ordinal))
                symbols[parts[3]] = (long.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), long.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        return symbols;
    }

    private static XDocument Parse(string html)
    {
        // The HTML5 doctype has no DTD to fetch; ignoring it lets the XML parser read the rest.
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    private static IEnumerable<XElement> ByClass(XDocument doc, string localName, string cssClass) =>
        doc.Descendants().Where(e => e.Name.LocalName == localName && ((string?)e.Attribute("class") ?? "").Split(' ').Contains(cssClass));

    private static long Long(XElement e, string attribute) => long.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static double Double(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static long Hex(XElement e, string attribute) =>
        long.Parse(((string)e.Attribute(attribute)!)["0x".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));
}
