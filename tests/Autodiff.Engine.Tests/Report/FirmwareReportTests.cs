using System.Globalization;
using System.Xml.Linq;
using Autodiff.Engine.Report;
using Xunit;

namespace Autodiff.Engine.Tests.Report;

/// <summary>The firmware report: the board's whole RAM, every model's arena at its address, to scale.</summary>
public class FirmwareReportTests
{
    [Fact]
    public void Firmware_report_is_well_formed_deterministic_and_self_contained()
    {
        var memory = FirmwareMemoryExample.TwoModels();
        var html = FirmwareReportWriter.Html(memory);
        Assert.Equal(html, FirmwareReportWriter.Html(FirmwareMemoryExample.TwoModels()));

        Assert.StartsWith("<!DOCTYPE html>\n", html);
        var doc = ReportDocument.Parse(html);
        Assert.Equal("html", doc.Root!.Name.LocalName);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/", ""));
        Assert.DoesNotContain("https://", html);
        // Each model links to its own report beside it.
        foreach (var model in memory.Models)
            Assert.Contains($"href=\"{model.Name}/{model.Name}.report.html\"", html);
    }

    [Fact]
    public void Every_block_and_arena_sits_at_its_address_to_scale_with_a_hover_title()
    {
        var memory = FirmwareMemoryExample.TwoModels();
        var doc = ReportDocument.Parse(FirmwareReportWriter.Html(memory));
        var map = ReportDocument.ByClass(doc, "svg", "firmware-map").Single();
        var scale = new MapScale(map);
        Assert.Equal(memory.RamAddress, scale.RamAddress);
        Assert.Equal(memory.RamBytes, scale.RamBytes);

        var blocks = ReportDocument.ByClass(doc, "rect", "ram-block").ToList();
        Assert.Equal(memory.Blocks.Count, blocks.Count);
        foreach (var block in memory.Blocks)
        {
            var rect = blocks.Single(r => (string)r.Attribute("data-name")! == block.Name);
            scale.AssertSpans(rect, block.Address, block.Bytes);
            Assert.Contains(block.Name, Title(rect));
        }

        var arenas = ReportDocument.ByClass(doc, "g", "arena").ToList();
        Assert.Equal(memory.Models.Count, arenas.Count);
        foreach (var model in memory.Models)
        {
            var g = arenas.Single(a => (string)a.Attribute("data-model")! == model.Name);
            Assert.Equal(model.Address, MapScale.Address(g, "data-address"));
            Assert.Equal(model.Bytes, ReportDocument.Long(g, "data-bytes"));
            scale.AssertSpans(ByClass(g, "arena-block").Single(), model.Address!.Value, model.Bytes);
            Assert.Contains(model.Name + "_arena", Title(g));
            // Its buffers, by category as in the model's map, inside the arena.
            var buffers = ByClass(g, "buffer").ToList();
            Assert.Equal(model.Layout.Buffers.Count, buffers.Count);
            Assert.All(buffers, b => Assert.Contains(((string)b.Attribute("class")!).Split(' '), c => c.StartsWith("cat-", StringComparison.Ordinal)));
            foreach (var (buffer, rect) in model.Layout.Buffers.Zip(buffers))
            {
                Assert.Equal(buffer.Offset, ReportDocument.Long(rect, "data-offset"));
                Assert.Contains(buffer.Label, Title(rect));
                Assert.True(scale.Top(rect) >= scale.Top(ByClass(g, "arena-block").Single()) - 0.1, "a buffer above its arena");
            }
        }
        Assert.Single(ReportDocument.ByClass(doc, "line", "budget"));
    }

    [Fact]
    public void A_model_whose_arena_the_image_lacks_is_listed_not_drawn()
    {
        var memory = FirmwareMemoryExample.TwoModels();
        var stripped = memory with { Models = [memory.Models[0], memory.Models[1] with { Address = null }] };
        var html = FirmwareReportWriter.Html(stripped);
        var doc = ReportDocument.Parse(html);
        Assert.Single(ReportDocument.ByClass(doc, "g", "arena"));
        Assert.Contains("Not drawn: " + memory.Models[1].Name, html);
    }

    [Fact]
    public void Category_colours_have_one_home_shared_by_both_reports()
    {
        foreach (var (category, _, colour) in MemoryMapSvg.Categories)
            Assert.Contains($".{MemoryMapSvg.CssClass(category)} {{ fill: {colour};", FirmwareReportWriter.Html(FirmwareMemoryExample.TwoModels()));
        Assert.Single(MemoryMapSvg.Categories, c => c.Colour == "#4e79a7");
    }

    private static IEnumerable<XElement> ByClass(XElement parent, string cssClass) =>
        parent.Descendants().Where(e => ((string?)e.Attribute("class") ?? "").Split(' ').Contains(cssClass));

    private static string Title(XElement e) => e.Elements().First(c => c.Name.LocalName == "title").Value;

    /// <summary>The map's linear scale, read back from its data attributes: address up, RAM start at the bottom.</summary>
    private sealed class MapScale(XElement map)
    {
        public long RamAddress { get; } = Address(map, "data-ram-address");
        public long RamBytes { get; } = ReportDocument.Long(map, "data-ram-bytes");
        private readonly double _top = Double(map, "data-plot-top");
        private readonly double _height = Double(map, "data-plot-height");

        public double Top(XElement rect) => Double(rect, "y");

        /// <summary>The rectangle covers [address, address + bytes) at the map's scale (coordinates are rounded to 0.1).</summary>
        public void AssertSpans(XElement rect, long address, long bytes)
        {
            var bottom = _top + _height - (address - RamAddress) / (double)RamBytes * _height;
            var top = _top + _height - (address + bytes - RamAddress) / (double)RamBytes * _height;
            Assert.InRange(Double(rect, "y"), top - 0.06, top + 0.06);
            Assert.InRange(Double(rect, "y") + Double(rect, "height"), bottom - 0.11, bottom + 0.11);
        }

        public static long Address(XElement e, string attribute) =>
            long.Parse(((string)e.Attribute(attribute)!)["0x".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        private static double Double(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);
    }
}
